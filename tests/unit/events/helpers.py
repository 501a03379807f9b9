"""Small helpers the events tests share."""
import html

import sqlalchemy as sa

from civiclab.events.models import Registration


def text(response):
    """The page as a reader sees it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def registrations_of(db_session, event):
    return list(db_session.scalars(sa.select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.id)))
