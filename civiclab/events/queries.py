"""Reading events: the public list and its filters, the next events of a lab or of the network.

Every list loads each event with its lab and city in the same query (and the audiences in one
more), so a page costs the same number of queries whatever the number of events.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from civiclab.accounts.models import ParticipantType
from civiclab.core.db import LIKE_ESCAPE, like_pattern
from civiclab.core.permissions import is_admin, is_authenticated
from civiclab.core.time import ROME, utcnow
from civiclab.events import permissions
from civiclab.events.models import Event, EventAudience, EventState, Registration
from civiclab.extensions import db
from civiclab.places.models import City, Lab

# What the public sees; drafts only exist for who runs them.
PUBLIC_STATES = (EventState.PUBLISHED, EventState.CANCELLED, EventState.FINISHED)


@dataclass
class EventFilters:
    past: bool = False
    city_id: int | None = None
    city_slug: str | None = None  # the city by its address name (the API's filter)
    lab_id: int | None = None
    date_from: date | None = None  # days on Rome's calendar, both included
    date_to: date | None = None
    audience: ParticipantType | None = None  # events this participant type may register for
    text: str = ""


def rome_midnight(day):
    return datetime.combine(day, time(), tzinfo=ROME)


def _with_place(query):
    return query.join(Event.lab).join(Lab.city).options(contains_eager(Event.lab).contains_eager(Lab.city))


def events_select(filters, now=None):
    """The public list: upcoming (soonest first, ongoing included) or past (latest first)."""
    now = now or utcnow()
    query = _with_place(sa.select(Event)).where(Event.state.in_(PUBLIC_STATES))
    if filters.past:
        query = query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        query = query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)
    if filters.city_id:
        query = query.where(Lab.city_id == filters.city_id)
    if filters.city_slug:
        query = query.where(City.slug == filters.city_slug)
    if filters.lab_id:
        query = query.where(Event.lab_id == filters.lab_id)
    if filters.date_from:
        query = query.where(Event.starts_at >= rome_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(Event.starts_at < rome_midnight(filters.date_to + timedelta(days=1)))
    if filters.audience is not None:
        rows = sa.select(EventAudience.id).where(EventAudience.event_id == Event.id)
        query = query.where(sa.or_(
            ~rows.exists(),
            rows.where(EventAudience.participant_type == filters.audience).exists(),
        ))
    text = (filters.text or "").strip()
    if text:
        pattern = like_pattern(text)
        query = query.where(sa.or_(Event.title.ilike(pattern, escape=LIKE_ESCAPE),
                                   Event.description.ilike(pattern, escape=LIKE_ESCAPE)))
    return query


def upcoming_events(limit=4, now=None):
    """The next published events of the whole network (the home page)."""
    now = now or utcnow()
    query = (_with_place(sa.select(Event))
             .where(Event.state == EventState.PUBLISHED, Event.ends_at > now)
             .order_by(Event.starts_at, Event.id).limit(limit))
    return db.session.scalars(query).unique().all()


def lab_upcoming_events(lab, include_drafts=False, limit=5, now=None):
    """The next events of `lab`; drafts too for who runs it."""
    now = now or utcnow()
    states = [EventState.PUBLISHED, EventState.CANCELLED] + ([EventState.DRAFT] if include_drafts else [])
    query = (_with_place(sa.select(Event))
             .where(Event.lab_id == lab.id, Event.state.in_(states), Event.ends_at > now)
             .order_by(Event.starts_at, Event.id).limit(limit))
    return db.session.scalars(query).unique().all()


def lab_events_select(lab, past=False, now=None):
    """Every event of `lab`, drafts too (its dashboard): upcoming (soonest first, ongoing
    included) or past (latest first)."""
    now = now or utcnow()
    query = sa.select(Event).where(Event.lab_id == lab.id)
    if past:
        return query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(), Event.id.desc())
    return query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)


def event_select(event_id):
    return _with_place(sa.select(Event)).where(Event.id == event_id)


# ---- loaders: what a route may do with an event or a registration, decided once ------------

# for_ -> (who may, the answer for anybody else). A draft does not exist (404) for whoever does
# not run it; the other pages of an existing event answer 403.
EVENT_ACCESS = {
    "view": (permissions.can_view_event, 404),
    "manage": (permissions.can_manage_event, 403),
    "check_in": (permissions.can_check_in, 403),
}
REGISTRATION_ACCESS = {
    "view": permissions.can_view_registration,
    "cancel": permissions.can_cancel_registration,
    "check_in": lambda user, registration: permissions.can_check_in(user, registration.event),
}


def load_event(event_id, for_="view"):
    """The event (with its lab and city) if the signed-in person may `for_` it; else 404 or 403."""
    allowed, refusal = EVENT_ACCESS[for_]
    event = db.first_or_404(event_select(event_id))
    if not allowed(current_user, event):
        abort(refusal)
    return event


def load_registration(registration_id, for_="view", event=None):
    """The registration if the signed-in person may `for_` it (403 otherwise); 404 when it does
    not exist, or is not one of `event`'s when given."""
    registration = db.get_or_404(Registration, registration_id)
    if event is not None and registration.event_id != event.id:
        abort(404)
    if not REGISTRATION_ACCESS[for_](current_user, registration):
        abort(403)
    return registration


def manageable_labs(user):
    """The labs whose events `user` may create: facilitated labs, the labs of staff's cities."""
    if not is_authenticated(user):
        return []
    query = sa.select(Lab).join(Lab.city).options(contains_eager(Lab.city)).order_by(City.name, Lab.name)
    if not is_admin(user):
        query = query.where(sa.or_(Lab.id.in_(user.facilitated_lab_ids or {-1}),
                                   Lab.city_id.in_(user.staff_city_ids or {-1})))
    return db.session.scalars(query).all()


def filter_choices():
    """Cities and labs for the list's filters (two small queries)."""
    cities = db.session.execute(sa.select(City.id, City.slug, City.name).order_by(City.name)).all()
    labs = db.session.execute(
        sa.select(Lab.id, Lab.name, City.name.label("city_name")).join(Lab.city).order_by(City.name, Lab.name)
    ).all()
    return cities, labs
