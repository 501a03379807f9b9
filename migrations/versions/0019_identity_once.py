"""identity once: a support or a booking under "solo con SPID/CIE" keeps its identity's hash, one per
proposal and one active booking per event, whichever account the identity is linked to

Revision ID: 0019_identity_once
Revises: 0018_identity_requirements
Create Date: 2026-12-04 23:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_identity_once'
down_revision = '0018_identity_requirements'
branch_labels = None
depends_on = None

ACTIVE = "identity_hash IS NOT NULL AND state IN ('confirmed', 'waiting')"


def upgrade():
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_proposal_supports_proposal_identity', ['proposal_id', 'identity_hash'])
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_hash', sa.String(length=64), nullable=True))
    op.create_index('uq_registrations_active_identity', 'registrations', ['event_id', 'identity_hash'], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    op.drop_index('uq_registrations_active_identity', table_name='registrations')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('identity_hash')
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.drop_constraint('uq_proposal_supports_proposal_identity', type_='unique')
        batch_op.drop_column('identity_hash')
