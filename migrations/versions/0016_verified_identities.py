"""verified identities: an account's SPID/CIE identity from the OIDC gateway (fiscal number hashed)

Revision ID: 0016_verified_identities
Revises: 0015_api_tokens
Create Date: 2026-12-04 21:30:00

"""
import sqlalchemy as sa
from alembic import op

from civiclab.core.time import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0016_verified_identities'
down_revision = '0015_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'verified_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('fiscal_hash', sa.String(length=64), nullable=False),
        sa.Column('fiscal_masked', sa.String(length=40), nullable=False),
        sa.Column('linked_at', UTCDateTime(), nullable=False),
        sa.Column('last_login_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_verified_identities_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_verified_identities')),
        sa.UniqueConstraint('user_id', name=op.f('uq_verified_identities_user_id')),
        sa.UniqueConstraint('fiscal_hash', name=op.f('uq_verified_identities_fiscal_hash')),
    )


def downgrade():
    op.drop_table('verified_identities')
