"""Calendars: an .ics file per event and iCalendar feeds per city and per lab (served by
calendar_routes.py, attached to mails).

Each event keeps one UID for life (its id and the site's host), so calendar apps update the
entry they already have; SEQUENCE grows with every change they must pick up, and a cancelled
event stays in the feed as STATUS:CANCELLED so subscribers see it go.
"""
import re
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy.orm import joinedload

from civiclab.core.sanitize import plain_text
from civiclab.core.time import to_rome, utcnow
from civiclab.core.urls import external_url, public_host
from civiclab.events.models import Event, EventState
from civiclab.places.models import Lab

PRODID = "-//CivicLab//Laboratori aperti//IT"
FEED_STATES = (EventState.PUBLISHED, EventState.CANCELLED, EventState.FINISHED)
FEED_PAST_DAYS = 90
FEED_LIMIT = 500

_BREAKS = re.compile(r"<br\s*/?>|</(p|li|h3|h4|h5|blockquote|pre)>", re.IGNORECASE)


def description_text(description_html):
    """The event's sanitised HTML as plain text, a paragraph per line."""
    text = plain_text(_BREAKS.sub("\n", description_html or ""))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def calendar_host():
    """The host part of every UID: the public address's, never the host a request claimed."""
    return public_host() or "civiclab"


def event_uid(event):
    return f"event-{event.id}@{calendar_host()}"


def event_location(event):
    if event.is_online:
        return _("Online")
    lab = event.lab
    parts = [lab.name, lab.venue, lab.address, lab.city.name]
    return ", ".join(part for part in parts if part)


def _vevent(event, stamp):
    entry = CalendarEvent()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", stamp)
    entry.add("dtstart", to_rome(event.starts_at))
    entry.add("dtend", to_rome(event.ends_at))
    entry.add("summary", event.title)
    description = description_text(event.description_html)
    if event.state is EventState.CANCELLED and event.cancel_reason:
        description = "\n\n".join(filter(None, [_("Evento annullato: %(reason)s", reason=event.cancel_reason),
                                               description]))
    if description:
        entry.add("description", description)
    entry.add("location", event_location(event))
    entry.add("url", external_url("events.event", event_id=event.id))
    entry.add("sequence", event.sequence)
    entry.add("status", "CANCELLED" if event.state is EventState.CANCELLED else "CONFIRMED")
    if event.updated_at:
        entry.add("last-modified", event.updated_at)
    return entry


def build_calendar(events, name=None, method="PUBLISH"):
    """An iCalendar (bytes) holding `events`, times in Europe/Rome with their VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Rome")
    stamp = utcnow()
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def event_calendar(event):
    """The .ics of one event (METHOD:PUBLISH: calendar apps import it, nobody is invited)."""
    return build_calendar([event])


def event_filename(event):
    return f"evento-{event.id}.ics"


def feed_select(city_id=None, lab_id=None, now=None):
    """Upcoming and recent (FEED_PAST_DAYS) public events, cancelled ones included."""
    now = now or utcnow()
    query = (
        sa.select(Event).join(Event.lab)
        .options(joinedload(Event.lab).joinedload(Lab.city))
        .where(Event.state.in_(FEED_STATES), Event.ends_at >= now - timedelta(days=FEED_PAST_DAYS))
        .order_by(Event.starts_at, Event.id)
        .limit(FEED_LIMIT)
    )
    if city_id is not None:
        query = query.where(Lab.city_id == city_id)
    if lab_id is not None:
        query = query.where(Event.lab_id == lab_id)
    return query
