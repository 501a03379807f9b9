"""Small helpers the integration tests share."""
from datetime import timedelta

from civiclab.extensions import db


def add_published_event(starts_in, **fields):
    """A published event of a lab in Bologna starting `starts_in` from now, added to db.session
    (inside the caller's app context)."""
    from civiclab.core.time import utcnow
    from civiclab.events.models import Event, EventState
    from civiclab.places.models import City, Lab

    city = City(name="Bologna", slug="bologna", region="Emilia-Romagna")
    lab = Lab(city=city, name="Laboratorio Aperto Bologna", slug="bologna")
    starts = utcnow() + starts_in
    event = Event(lab=lab, title="Laboratorio di robotica", starts_at=starts,
                  ends_at=starts + timedelta(hours=2), state=EventState.PUBLISHED,
                  published_at=utcnow(), **fields)
    db.session.add(event)
    return event
