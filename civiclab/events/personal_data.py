"""A user's event registrations: their section of the data export, and what deleting the account
does to them (bookings of events still to come are cancelled, so their seats go down the line)."""
import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from civiclab.accounts.services import export_section
from civiclab.core import signals
from civiclab.core.time import isoformat, utcnow
from civiclab.events import services
from civiclab.events.models import ACTIVE_STATES, Event, Registration
from civiclab.extensions import db


def export_registrations(user):
    """Every registration of `user`, with its event (one query)."""
    registrations = db.session.scalars(
        sa.select(Registration).join(Registration.event).options(contains_eager(Registration.event))
        .where(Registration.user_id == user.id).order_by(Registration.created_at, Registration.id)
    )
    return [
        {
            "event_id": registration.event_id,
            "event": registration.event.title,
            "starts_at": isoformat(registration.event.starts_at),
            "state": registration.state.value,
            "seats": registration.seats,
            "group_name": registration.group_name,
            "participant_type": registration.participant_type.value,
            "code": registration.code,
            "created_at": isoformat(registration.created_at),
            "confirmed_at": isoformat(registration.confirmed_at),
            "cancelled_at": isoformat(registration.cancelled_at),
            "attended_at": isoformat(registration.attended_at),
        }
        for registration in registrations
    ]


def on_user_deleted(user, **_extra):
    """Nobody holds a seat for a deleted account: its bookings of events still to come are
    cancelled (as the system, so no mail goes to the empty address) and the waiting list moves up.
    Past registrations stay, for the lab's attendance figures."""
    upcoming = db.session.scalars(
        sa.select(Registration).join(Registration.event)
        .where(Registration.user_id == user.id, Registration.state.in_(ACTIVE_STATES),
               Event.starts_at > utcnow())
        .order_by(Registration.id)
    ).all()
    for registration in upcoming:
        services.cancel_registration(None, registration)


def connect():
    """Add the export section and the deletion rule (from the domain's connect())."""
    export_section("event_registrations")(export_registrations)
    signals.connect_listeners([(signals.user_deleted, on_user_deleted)])
