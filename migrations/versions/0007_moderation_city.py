"""the city of each moderation log entry and of each block

Revision ID: 0007_moderation_city
Revises: 0006_upload_quota
Create Date: 2026-12-04 00:20:00

The log is filtered by the city stored on each entry (a deleted content or author no longer
makes an entry readable by every city's moderators), and a block remembers the city in whose
name it was placed (its staff may lift it). Existing rows are filled from the relationships
that still exist; an entry whose content is already gone keeps no city (administrators only).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_moderation_city'
down_revision = '0006_upload_quota'
branch_labels = None
depends_on = None

# The city of what an entry is about, from the rows that still exist.
_PROPOSAL_CITY = "(SELECT calls.city_id FROM proposals JOIN calls ON calls.id = proposals.call_id " \
                 "WHERE proposals.id = {proposal})"
_COMMENT_CITY = "COALESCE(" \
    "(SELECT calls.city_id FROM comments JOIN proposals ON proposals.id = comments.proposal_id " \
    "JOIN calls ON calls.id = proposals.call_id WHERE comments.id = moderation_actions.comment_id), " \
    "(SELECT projects.city_id FROM comments JOIN projects ON projects.id = comments.project_id " \
    "WHERE comments.id = moderation_actions.comment_id))"
_ROOM_CITY = "COALESCE(" \
    "(SELECT labs.city_id FROM rooms JOIN labs ON labs.id = rooms.lab_id WHERE rooms.id = moderation_actions.room_id), " \
    "(SELECT projects.city_id FROM rooms JOIN projects ON projects.id = rooms.project_id " \
    "WHERE rooms.id = moderation_actions.room_id), " \
    "(SELECT labs.city_id FROM rooms JOIN events ON events.id = rooms.event_id JOIN labs ON labs.id = events.lab_id " \
    "WHERE rooms.id = moderation_actions.room_id))"
# The city a moderator acts for: the first they are staff of, else the first of their labs'.
_ACTOR_CITY = "(SELECT CASE WHEN users.is_admin THEN NULL ELSE COALESCE(" \
    "(SELECT MIN(city_staff.city_id) FROM city_staff WHERE city_staff.user_id = users.id), " \
    "(SELECT MIN(labs.city_id) FROM lab_facilitators JOIN labs ON labs.id = lab_facilitators.lab_id " \
    "WHERE lab_facilitators.user_id = users.id)) END FROM users WHERE users.id = {actor})"


def upgrade():
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_moderation_actions_city_id'), ['city_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_moderation_actions_city_id_cities'), 'cities', ['city_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('user_blocks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_blocks_city_id_cities'), 'cities', ['city_id'], ['id'],
                                    ondelete='SET NULL')

    execute = op.get_bind().execute
    execute(sa.text("UPDATE moderation_actions SET city_id = " + _COMMENT_CITY + " WHERE comment_id IS NOT NULL"))
    execute(sa.text("UPDATE moderation_actions SET city_id = "
                    + _PROPOSAL_CITY.format(proposal="moderation_actions.proposal_id")
                    + " WHERE city_id IS NULL AND proposal_id IS NOT NULL"))
    execute(sa.text("UPDATE moderation_actions SET city_id = " + _ROOM_CITY
                    + " WHERE city_id IS NULL AND room_id IS NOT NULL"))
    execute(sa.text("UPDATE moderation_actions SET city_id = "
                    + _ACTOR_CITY.format(actor="moderation_actions.actor_id")
                    + " WHERE city_id IS NULL AND action IN ('block_user', 'lift_block') AND actor_id IS NOT NULL"))
    execute(sa.text("UPDATE user_blocks SET city_id = " + _ACTOR_CITY.format(actor="user_blocks.blocked_by_id")
                    + " WHERE blocked_by_id IS NOT NULL"))


def downgrade():
    with op.batch_alter_table('user_blocks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_blocks_city_id_cities'), type_='foreignkey')
        batch_op.drop_column('city_id')
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_moderation_actions_city_id_cities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_moderation_actions_city_id'))
        batch_op.drop_column('city_id')
