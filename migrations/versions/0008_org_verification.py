"""organisations verified by their city's staff; event descriptions stored as Markdown

Revision ID: 0008_org_verification
Revises: 0007_moderation_city
Create Date: 2026-12-04 00:30:00

Organisations registered so far were trusted as soon as they were created: they are marked
verified, so nobody loses the group seats they had. New ones wait for the staff of their city
(matched by name to a CivicLab city) or for an administrator.

Event descriptions were stored as cleaned HTML and shown as such; they are now the Markdown the
facilitator typed, rendered and sanitised when shown. Stored HTML is turned back into Markdown
(paragraphs, line breaks, bold, italics, links, list items), the rest of its tags dropped.
"""
import html
import re

import sqlalchemy as sa
from alembic import op

import civiclab.core.time

revision = '0008_org_verification'
down_revision = '0007_moderation_city'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verification', sa.Enum(
            'unverified', 'verified', 'rejected', name='organisation_verification', native_enum=False,
            length=12), nullable=False, server_default='verified'))
        batch_op.add_column(sa.Column('verification_decided_at', civiclab.core.time.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('verification_decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verification_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_organisations_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_verification'), ['verification'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_organisations_city_id_cities'), 'cities', ['city_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_organisations_verification_decided_by_id_users'), 'users',
                                    ['verification_decided_by_id'], ['id'], ondelete='SET NULL')
    # Existing rows were verified by the server default; new ones get theirs from the model.
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('verification', server_default=None)
        batch_op.alter_column('verification_reason', server_default=None)
    op.execute(
        "UPDATE organisations SET city_id = (SELECT MIN(cities.id) FROM cities "
        "WHERE lower(cities.name) = lower(organisations.city_name)) WHERE city_name <> ''"
    )

    connection = op.get_bind()
    events = sa.table('events', sa.column('id', sa.Integer), sa.column('description', sa.Text))
    for event_id, description in connection.execute(sa.select(events.c.id, events.c.description)).all():
        if description and '<' in description:
            connection.execute(events.update().where(events.c.id == event_id)
                               .values(description=html_to_markdown(description)))


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisations_verification_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_organisations_city_id_cities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_organisations_verification'))
        batch_op.drop_index(batch_op.f('ix_organisations_city_id'))
        batch_op.drop_column('verification_reason')
        batch_op.drop_column('verification_decided_by_id')
        batch_op.drop_column('verification_decided_at')
        batch_op.drop_column('verification')
        batch_op.drop_column('city_id')


_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL | re.IGNORECASE)


def html_to_markdown(text):
    """The cleaned HTML of an old description as the Markdown that renders like it."""
    text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", text)
    for pattern, replacement in ((r'</?(strong|b)>', '**'), (r'</?(em|i)>', '*'), (r'<br\s*/?>', '  \n'),
                                 (r'<li>', '- '), (r'</(p|li|ul|ol|blockquote|h\d|pre)>', '\n\n')):
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    text = html.unescape(re.sub(r'<[^>]+>', '', text))
    return re.sub(r'\n{3,}', '\n\n', text).strip()
