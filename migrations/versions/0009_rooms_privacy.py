"""rooms: participants-only event rooms; reports of room messages

Revision ID: 0009_rooms_privacy
Revises: 0008_org_verification
Create Date: 2026-12-04 00:10:00

An event's room may be made readable by its participants only (`rooms.participants_only`), and a
report may be about a room message (`reports.room_message_id`): a report names exactly one of a
comment, a proposal or a room message.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_rooms_privacy'
down_revision = '0008_org_verification'
branch_labels = None
depends_on = None

ONE_SUBJECT_BEFORE = "(comment_id IS NULL) <> (proposal_id IS NULL)"
ONE_SUBJECT = ("(CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END + CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END"
               " + CASE WHEN room_message_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participants_only', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room_message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reports_room_message_id_room_messages'), 'room_messages',
                                    ['room_message_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(op.f('ck_reports_one_subject'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reports_one_subject'), sa.text(ONE_SUBJECT))
        batch_op.create_unique_constraint('uq_reports_room_message_reporter', ['room_message_id', 'reporter_id'])


def downgrade():
    op.execute("DELETE FROM reports WHERE room_message_id IS NOT NULL")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reports_room_message_reporter', type_='unique')
        batch_op.drop_constraint(op.f('ck_reports_one_subject'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reports_one_subject'), sa.text(ONE_SUBJECT_BEFORE))
        batch_op.drop_constraint('fk_reports_room_message_id_room_messages', type_='foreignkey')
        batch_op.drop_column('room_message_id')

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('participants_only')
