"""When a reminder before an event is due, and the claim that lets it be sent once.

An event's reminders are due once its window opens — `reminder_hours_before` hours before the
start (24 by default; 0 means no reminder) — and until it starts. The job that sends them (a
mail and an in-app notification per confirmed registration) is notifications/event_reminders.py,
run by cron through `flask --app wsgi send-event-reminders`.
"""
from datetime import timedelta

import sqlalchemy as sa

from civiclab.events.models import Event, EventState, Registration, RegistrationState
from civiclab.extensions import db


def due_events(now):
    """Published events not started yet whose reminder window is open at `now`."""
    longest = db.session.scalar(
        sa.select(sa.func.max(Event.reminder_hours_before)).where(Event.state == EventState.PUBLISHED)
    )
    if not longest:
        return []
    # The database narrows to the longest window; each event's own window is checked here
    # (interval arithmetic on a column is written differently on SQLite and PostgreSQL).
    candidates = db.session.scalars(
        sa.select(Event).where(Event.state == EventState.PUBLISHED, Event.starts_at > now,
                               Event.starts_at <= now + timedelta(hours=longest))
        .order_by(Event.starts_at, Event.id)
    )
    return [event for event in candidates
            if event.reminder_hours_before > 0
            and event.starts_at - timedelta(hours=event.reminder_hours_before) <= now]


def due_registration_ids(now):
    """Ids of the confirmed registrations of due events that have had no reminder yet."""
    events = due_events(now)
    if not events:
        return []
    return list(db.session.scalars(
        sa.select(Registration.id).where(
            Registration.event_id.in_([event.id for event in events]),
            Registration.state == RegistrationState.CONFIRMED,
            Registration.reminder_sent_at.is_(None),
        ).order_by(Registration.event_id, Registration.id)
    ))


def claim(registration_id, now):
    """Mark the reminder as sent if nobody did yet; True when this caller won it.

    Not committed here: the caller commits the claim (with its notification) before sending.
    """
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.id == registration_id, Registration.reminder_sent_at.is_(None),
               Registration.state == RegistrationState.CONFIRMED)
        .values(reminder_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
