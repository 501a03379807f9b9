"""What people hear of events: the listeners of the signals events/services.py sends, each
writing a mail (events/mails.py) and, for people with an account, an in-app notification.
The notification is written with the change; the mail is built and sent after the commit.

Everybody hears in their own language (user.locale; guests in Italian). Guests get mails only;
people with an account get a mail and an in-app notification that repeats what matters (the
registration code, the new time), so someone whose mail went astray still has it.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from civiclab.accounts.models import User
from civiclab.core import signals
from civiclab.core.i18n import in_language
from civiclab.core.mail import send_later
from civiclab.events import calendar
from civiclab.events.mails import (
    changed_labels,
    event_url,
    load_users,
    mail_links,
    recipient_of,
    registration_url,
    send_event_mail,
    user_recipient,
    when_text,
)
from civiclab.events.models import Event, Registration
from civiclab.events.registration_queries import waiting_position
from civiclab.extensions import db
from civiclab.notifications.services import notify
from civiclab.places.models import LabFacilitator


def _in_app(recipient, kind, message, detail="", url=""):
    """An in-app notification for a recipient with an account; `message` is a callable, rendered
    in each language (the reader sees their own)."""
    if recipient is None or recipient.user is None:
        return None
    return notify(recipient.user, kind, message, detail=detail, url=url)


def _lab_facilitators(lab_id):
    return list(db.session.scalars(
        sa.select(User).join(LabFacilitator, LabFacilitator.user_id == User.id)
        .where(LabFacilitator.lab_id == lab_id, User.deleted_at.is_(None)).order_by(User.id)
    ))


# ---- a person's own registration ---------------------------------------------------------------
# The in-app notification is written in the transaction (it stands or falls with the booking); the
# mail is a job run after the commit (core.mail.send_later), given ids and plain values, so its
# templates, calendar and QR image are never built while the booking holds the event's lock.

def _registration_subjects():
    """{template: (subject of the mail for an event, whether it carries the calendar and the QR code)}."""
    return {
        "event_registration_confirmed": (lambda event: _("Iscrizione confermata: %(title)s", title=event.title),
                                         True),
        "event_registration_waiting": (lambda event: _("Sei in lista d'attesa: %(title)s", title=event.title),
                                       False),
        "event_registration_promoted": (
            lambda event: _("Si è liberato un posto: la tua iscrizione a %(title)s è confermata", title=event.title),
            True),
        "event_registration_cancelled": (
            lambda event: _("La tua iscrizione a %(title)s è stata annullata", title=event.title), False),
    }


def mail_registration(registration_id, template, **values):
    """The mail `template` about one registration (a job: see core.mail.send_later)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return  # its booking was undone
    event = registration.event
    subject, with_code = _registration_subjects()[template]
    send_event_mail(recipient_of(registration), lambda: subject(event), template,
                    calendar_of=event if with_code else None, code=registration.code if with_code else None,
                    event=event, registration=registration, **values, **mail_links(registration))


def on_registration_created(event, registration, **_extra):
    recipient = recipient_of(registration)
    path = registration_url(registration, external=False) if registration.user_id else ""
    if registration.is_confirmed:
        send_later(mail_registration, registration.id, "event_registration_confirmed")
        _in_app(recipient, "registration_confirmed",
                lambda: _("Iscrizione confermata a «%(title)s». Il tuo codice per l'ingresso è %(code)s.",
                          title=event.title, code=registration.code),
                detail=registration.code, url=path)
    else:
        position = registration.position_when_booked or waiting_position(registration)
        send_later(mail_registration, registration.id, "event_registration_waiting", position=position)
        _in_app(recipient, "registration_waiting",
                lambda: _("«%(title)s» è al completo: sei in lista d'attesa, posizione %(position)s. "
                          "Ti avvisiamo se si libera un posto.", title=event.title, position=position),
                url=path)


def on_registration_promoted(event, registration, **_extra):
    recipient = recipient_of(registration)
    path = registration_url(registration, external=False) if registration.user_id else ""
    send_later(mail_registration, registration.id, "event_registration_promoted")
    _in_app(recipient, "registration_promoted",
            lambda: _("Si è liberato un posto: la tua iscrizione a «%(title)s» è confermata. "
                      "Il tuo codice per l'ingresso è %(code)s.", title=event.title, code=registration.code),
            detail=registration.code, url=path)


def on_registration_cancelled(event, registration, by=None, **_extra):
    """Only when someone else (who runs the event) cancelled it: the owner knows what they did."""
    if by is None or (registration.user_id is not None and by.id == registration.user_id):
        return
    recipient = recipient_of(registration)
    send_later(mail_registration, registration.id, "event_registration_cancelled")
    _in_app(recipient, "registration_cancelled",
            lambda: _("Chi organizza «%(title)s» ha annullato la tua iscrizione.", title=event.title),
            url=event_url(event, external=False))


# ---- the event, to everyone registered ----------------------------------------------------

def mail_event_changed(event_id, registration_ids, changes):
    """The mail of a changed event to each of its registrants (a job: see core.mail.send_later);
    the .ics is made once per language."""
    event = db.session.get(Event, event_id)
    calendars = {}
    location = calendar.event_location(event)
    for registration in _registrations(registration_ids):
        recipient = recipient_of(registration)
        if recipient is None:
            continue
        with in_language(recipient.locale):
            what = ", ".join(changed_labels(changes))
        send_event_mail(recipient, lambda: _("Cambiamenti all'evento %(title)s", title=event.title), "event_changed",
                        calendar_of=event, calendars=calendars, event=event, registration=registration, what=what,
                        location=location, **mail_links(registration))


def on_event_changed(event, registrations=(), changes=(), **_extra):
    load_users(registrations)
    for registration in registrations:
        recipient = recipient_of(registration)
        if recipient is None:
            continue
        with in_language(recipient.locale):
            what = ", ".join(changed_labels(changes))
        _in_app(recipient, "event_changed",
                lambda what=what: _("«%(title)s» è cambiato (%(what)s). Quando: %(when)s.",
                                    title=event.title, what=what, when=when_text(event)),
                url=registration_url(registration, external=False))
    send_later(mail_event_changed, event.id, [r.id for r in registrations], list(changes))


def mail_event_cancelled(event_id, registration_ids):
    """The mail of a cancelled event to each person who was registered (a job)."""
    event = db.session.get(Event, event_id)
    calendars = {}
    for registration in _registrations(registration_ids):
        send_event_mail(recipient_of(registration), lambda: _("Evento annullato: %(title)s", title=event.title),
                        "event_cancelled", calendar_of=event, calendars=calendars, event=event,
                        registration=registration, **mail_links(registration))


def on_event_cancelled(event, registrations=(), **_extra):
    load_users(registrations)
    for registration in registrations:
        _in_app(recipient_of(registration), "event_cancelled",
                lambda: _("«%(title)s» è stato annullato. Motivo: %(reason)s", title=event.title,
                          reason=event.cancel_reason),
                url=event_url(event, external=False))
    send_later(mail_event_cancelled, event.id, [r.id for r in registrations])


def _registrations(ids):
    """The registrations of `ids` in their order, with their accounts (two queries)."""
    if not ids:
        return []
    registrations = list(db.session.scalars(
        sa.select(Registration).where(Registration.id.in_(ids)).order_by(Registration.id)))
    load_users(registrations)
    return registrations


# ---- to who runs the lab --------------------------------------------------------------------

def mail_seats_threshold(event_id, level, user_ids, taken):
    """The mail of a seat threshold to the lab's facilitators (a job); `taken`: the seats
    confirmed when it was reached."""
    event = db.session.get(Event, event_id)
    users = db.session.scalars(sa.select(User).where(User.id.in_(user_ids)).order_by(User.id)) if user_ids else []
    for user in users:
        send_event_mail(user_recipient(user), lambda: _("%(title)s: posti occupati al %(level)s%%", title=event.title,
                                                        level=level),
                        "event_seats_threshold", event=event, level=level, taken=taken,
                        event_link=event_url(event))


def on_seats_threshold_reached(event, level, **_extra):
    facilitators = _lab_facilitators(event.lab_id)
    for user in facilitators:
        _in_app(user_recipient(user), "seats_threshold",
                lambda: _("«%(title)s»: posti occupati al %(level)s%% (%(taken)s su %(capacity)s).",
                          title=event.title, level=level, taken=event.confirmed_seats,
                          capacity=event.capacity),
                url=event_url(event, external=False))
    if facilitators:
        send_later(mail_seats_threshold, event.id, level, [user.id for user in facilitators], event.confirmed_seats)


LISTENERS = (
    (signals.registration_created, on_registration_created),
    (signals.registration_promoted, on_registration_promoted),
    (signals.registration_cancelled, on_registration_cancelled),
    (signals.event_changed, on_event_changed),
    (signals.event_cancelled, on_event_cancelled),
    (signals.seats_threshold_reached, on_seats_threshold_reached),
)
