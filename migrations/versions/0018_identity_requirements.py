"""identity requirements: calls and events that only people with a SPID/CIE identity may join

Revision ID: 0018_identity_requirements
Revises: 0017_audit_log
Create Date: 2026-12-04 22:00:00

A call may require a verified identity (accounts/identities.py) to propose under it
(`calls.proposals_require_identity`) and to support its proposals (`calls.supports_require_identity`);
an event to book a seat (`events.requires_identity`). Existing rows keep requiring nothing.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_identity_requirements'
down_revision = '0017_audit_log'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposals_require_identity', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('supports_require_identity', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_identity', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('requires_identity')

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('supports_require_identity')
        batch_op.drop_column('proposals_require_identity')
