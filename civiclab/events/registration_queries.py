"""Read-only questions about registrations that participant pages and mails share."""
import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from civiclab.core.time import utcnow
from civiclab.events.models import ACTIVE_STATES, Event, EventState, Registration, RegistrationState
from civiclab.places.models import Lab

UPCOMING_LIMIT = 100  # nobody waits for more events than this at once; the page says so if cut


def waiting_position_column():
    """A correlated count: 1 for the first in the waiting list, 2 for the next, and so on."""
    ahead = aliased(Registration)
    return (
        sa.select(sa.func.count(ahead.id))
        .where(ahead.event_id == Registration.event_id, ahead.state == RegistrationState.WAITING,
               ahead.id <= Registration.id)
        .correlate(Registration)
        .scalar_subquery()
    )


def waiting_position(registration):
    """The registration's place in its event's waiting list, or None when it is not waiting."""
    from civiclab.extensions import db

    if registration.state is not RegistrationState.WAITING:
        return None
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration)
        .where(Registration.event_id == registration.event_id,
               Registration.state == RegistrationState.WAITING, Registration.id <= registration.id)
    )


def _with_event():
    return joinedload(Registration.event).joinedload(Event.lab).joinedload(Lab.city)


def upcoming_of(user, now=None):
    """The user's active registrations for events not yet ended, soonest first, each with its
    waiting position (None when confirmed): [(registration, position)]."""
    from civiclab.extensions import db

    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Registration, waiting_position_column())
        .join(Registration.event)
        .options(_with_event())
        .where(Registration.user_id == user.id, Registration.state.in_(ACTIVE_STATES),
               Event.ends_at > now)
        .order_by(Event.starts_at, Registration.id)
        .limit(UPCOMING_LIMIT)
    )
    return [(registration, position if registration.state is RegistrationState.WAITING else None)
            for registration, position in rows]


def past_of_select(user, now=None):
    """The user's confirmed registrations of events that have ended, and those of events that
    were cancelled, latest first (a query to paginate)."""
    now = now or utcnow()
    return (
        sa.select(Registration)
        .join(Registration.event)
        .options(_with_event())
        .where(
            Registration.user_id == user.id,
            sa.or_(
                sa.and_(Event.ends_at <= now, Registration.state == RegistrationState.CONFIRMED),
                Event.state == EventState.CANCELLED,
            ),
        )
        .order_by(Event.starts_at.desc(), Registration.id.desc())
    )
