"""growth: indexes for the pages that read long lists a page at a time (a call's proposals in each
order, a target's threads and their replies, a user's notifications), a call's count of
public proposals kept on its row, and on PostgreSQL the proposals' search vector stored

Revision ID: 0014_growth
Revises: 0013_outcomes
Create Date: 2026-12-04 15:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_growth'
down_revision = '0013_outcomes'
branch_labels = None
depends_on = None

INDEXES = (
    ('proposals', 'ix_proposals_call_published', ['call_id', 'published_at', 'id']),
    ('proposals', 'ix_proposals_call_supports', ['call_id', 'supports_count', 'id']),
    ('proposals', 'ix_proposals_call_comments', ['call_id', 'comments_count', 'id']),
    ('comments', 'ix_comments_root_created', ['root_id', 'created_at', 'id']),
    ('notifications', 'ix_notifications_user_created', ['user_id', 'created_at', 'id']),
)
# A target's threads, partial: each target column is NULL on the comments about other kinds, and
# SQLite's statistics would count those NULLs as one value shared by most rows, then scan.
THREAD_INDEXES = ('project', 'proposal', 'outcome')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # The proposals' Italian tsvector stored, so a search reads it rather than parsing the
        # text of each match again (the expression index of 0003 needed that on every recheck).
        op.execute("ALTER TABLE proposals ADD COLUMN search_vector tsvector"
                   " GENERATED ALWAYS AS (to_tsvector('italian', title || ' ' || body)) STORED")
        op.execute("CREATE INDEX ix_proposals_search_vector ON proposals USING gin (search_vector)")
        op.execute("DROP INDEX ix_proposals_fulltext")
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_proposals_count', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE calls SET public_proposals_count = (SELECT count(proposals.id) FROM proposals"
        " WHERE proposals.call_id = calls.id AND proposals.state IN ('accepted', 'adopted')"
        " AND proposals.hidden_at IS NULL)"
    )
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    for kind in THREAD_INDEXES:
        where = sa.text(f'{kind}_id IS NOT NULL')
        op.create_index(f'ix_comments_{kind}_thread', 'comments', [f'{kind}_id', 'parent_id', 'created_at', 'id'],
                        unique=False, sqlite_where=where, postgresql_where=where)


def downgrade():
    for kind in reversed(THREAD_INDEXES):
        op.drop_index(f'ix_comments_{kind}_thread', table_name='comments')
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('public_proposals_count')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_proposals_fulltext ON proposals"
                   " USING gin (to_tsvector('italian', title || ' ' || body))")
        op.execute("DROP INDEX ix_proposals_search_vector")
        op.execute("ALTER TABLE proposals DROP COLUMN search_vector")
