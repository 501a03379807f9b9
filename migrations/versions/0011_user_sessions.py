"""user_sessions: revocable sign-in sessions named by the session and remember-me cookies

Revision ID: 0011_user_sessions
Revises: 0010_form_keys
Create Date: 2026-12-04 00:30:00

"""
from alembic import op
import sqlalchemy as sa

import civiclab.core.time


# revision identifiers, used by Alembic.
revision = '0011_user_sessions'
down_revision = '0010_form_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', civiclab.core.time.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', civiclab.core.time.UTCDateTime(), nullable=False),
    sa.Column('user_agent', sa.String(length=80), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.Column('revoked_at', civiclab.core.time.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
