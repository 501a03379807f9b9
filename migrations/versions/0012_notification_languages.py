"""notifications in Italian and English: each reader sees the language they read in

Revision ID: 0012_notification_languages
Revises: 0011_user_sessions
Create Date: 2026-12-04 00:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_notification_languages'
down_revision = '0011_user_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('detail_en', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('detail_en')
        batch_op.drop_column('message_en')
