"""one-time form keys; the proposal as it was when a facilitator asked for changes

Revision ID: 0010_form_keys
Revises: 0009_rooms_privacy
Create Date: 2026-12-04 00:30:00

"""
from alembic import op
import sqlalchemy as sa

import civiclab.core.time


# revision identifiers, used by Alembic.
revision = '0010_form_keys'
down_revision = '0009_rooms_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('created_at', civiclab.core.time.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_keys')),
    sa.UniqueConstraint('owner', 'key', name='uq_form_keys_owner_key')
    )
    with op.batch_alter_table('form_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_keys_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('proposal_transitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('proposal_transitions', schema=None) as batch_op:
        batch_op.drop_column('snapshot')

    with op.batch_alter_table('form_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_keys_created_at'))

    op.drop_table('form_keys')
