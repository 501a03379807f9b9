"""audit log: every staff, facilitator and administrator action, append-only

Triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL); their DDL lives in
civiclab/audit/models.py, which create_all runs too.

Revision ID: 0017_audit_log
Revises: 0016_verified_identities
Create Date: 2026-12-04 22:00:00

"""
import sqlalchemy as sa
from alembic import op

from civiclab.audit.models import drop_append_only_statements, make_append_only
from civiclab.core.time import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0017_audit_log'
down_revision = '0016_verified_identities'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('subject_type', sa.String(length=60), nullable=True),
        sa.Column('subject_id', sa.BigInteger(), nullable=True),
        sa.Column('city_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_city_id'), ['city_id'], unique=False)
        batch_op.create_index('ix_audit_entries_city_at', ['city_id', 'at'], unique=False)
    make_append_only(op.get_bind())


def downgrade():
    bind = op.get_bind()
    for statement in drop_append_only_statements(bind.dialect.name):
        bind.exec_driver_sql(statement)
    op.drop_table('audit_entries')
