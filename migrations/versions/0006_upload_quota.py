"""upload records for the daily upload quota

Revision ID: 0006_upload_quota
Revises: 0004_rooms
Create Date: 2026-12-04 00:40:00

"""
from alembic import op
import sqlalchemy as sa

import civiclab.core.time


# revision identifiers, used by Alembic.
revision = '0006_upload_quota'
down_revision = '0004_rooms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('upload_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', civiclab.core.time.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_upload_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upload_records'))
    )
    with op.batch_alter_table('upload_records', schema=None) as batch_op:
        batch_op.create_index('ix_upload_records_user_id_created_at', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('upload_records', schema=None) as batch_op:
        batch_op.drop_index('ix_upload_records_user_id_created_at')

    op.drop_table('upload_records')
