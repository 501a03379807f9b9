"""Mails and in-app notifications of events: listeners of the signals events/services.py sends.

Everybody hears in their own language (user.locale; guests in Italian). Guests get mails only;
people with an account get a mail and an in-app notification that repeats what matters (the
registration code, the new time), so someone whose mail went astray still has it. A mail the
server cannot take is logged and undoes nothing: the booking stands.
"""
import smtplib
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from civiclab.accounts.models import User
from civiclab.core import signals
from civiclab.core.i18n import in_language
from civiclab.core.mail import send_mail
from civiclab.core.qr import qr_png
from civiclab.core.urls import external_url
from civiclab.events import calendar, tokens
from civiclab.events.models import RegistrationState
from civiclab.events.registration_queries import waiting_position
from civiclab.extensions import db
from civiclab.notifications.services import notify

LOCALES = ("it", "en")


class Recipient(NamedTuple):
    email: str | None
    locale: str
    user: User | None  # None for a guest: mail only
    name: str


def user_recipient(user):
    return Recipient(user.email, user.locale if user.locale in LOCALES else "it", user, user.display_name)


def recipient_of(registration):
    user = registration.user
    if user is not None:
        if not user.is_active:
            return None  # a deleted account hears nothing
        return user_recipient(user)
    if not registration.guest_email:
        return None
    return Recipient(registration.guest_email, "it", None, registration.guest_name or "")


def registration_url(registration, external=True):
    """Where the person sees their registration: the page of their account, or the guest's
    signed link."""
    if registration.user_id is None:
        return external_url("events.guest_registration", token=tokens.registration_token(registration))
    return _url("events.registration", external, registration_id=registration.id)


def event_url(event, external=True):
    return _url("events.event", external, event_id=event.id)


def _url(endpoint, external, **values):
    """A link in a mail (on the public address) or, `external=False`, a path for in-app news."""
    return external_url(endpoint, **values) if external else url_for(endpoint, **values)


def _links(registration):
    event = registration.event
    links = {"registration_link": registration_url(registration), "event_link": event_url(event),
             "ics_link": external_url("events.event_ics", event_id=event.id),
             "signup_link": None}
    if registration.user_id is None:
        links["signup_link"] = external_url("accounts.register", email=registration.guest_email)
    return links


def _mail(recipient, subject, template, calendar_of=None, code=None, calendars=None, **context):
    """Send `template` to `recipient`; `subject` is a callable, translated in their language.

    `calendar_of` attaches that event's .ics; `code` attaches the registration code's QR image.
    A loop mailing one event to many passes a dict as `calendars`: the .ics is made once per
    language, not once per person.
    """
    if recipient is None or not recipient.email:
        return None
    with in_language(recipient.locale):
        title = subject()
        attachments = []
        if calendar_of is not None:
            calendars = {} if calendars is None else calendars
            if recipient.locale not in calendars:
                calendars[recipient.locale] = (calendar.event_filename(calendar_of), "text/calendar",
                                               calendar.event_calendar(calendar_of))
            attachments.append(calendars[recipient.locale])
        if code is not None:
            attachments.append((f"codice-{code}.png", "image/png", qr_png(code)))
    try:
        return send_mail(recipient.email, title, template, locale=recipient.locale,
                         attachments=attachments, recipient=recipient, **context)
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("mail %s to %s not sent", template, recipient.email)
        return None


def _in_app(recipient, kind, message, detail="", url=""):
    """An in-app notification for a recipient with an account; `message` is a callable, rendered
    in each language (the reader sees their own)."""
    if recipient is None or recipient.user is None:
        return None
    return notify(recipient.user, kind, message, detail=detail, url=url)


def _load_users(registrations):
    """One query for the accounts of many registrations (then registration.user costs nothing)."""
    ids = {r.user_id for r in registrations if r.user_id is not None}
    if ids:
        list(db.session.scalars(sa.select(User).where(User.id.in_(ids))))


# ---- a person's own registration ---------------------------------------------------------------

def on_registration_created(event, registration, **_extra):
    recipient = recipient_of(registration)
    path = registration_url(registration, external=False) if registration.user_id else ""
    if registration.state is RegistrationState.CONFIRMED:
        _mail(recipient, lambda: _("Iscrizione confermata: %(title)s", title=event.title),
              "event_registration_confirmed", calendar_of=event, code=registration.code, event=event,
              registration=registration,
              **_links(registration))
        _in_app(recipient, "registration_confirmed",
                lambda: _("Iscrizione confermata a «%(title)s». Il tuo codice per l'ingresso è %(code)s.",
                          title=event.title, code=registration.code),
                detail=registration.code, url=path)
    else:
        position = waiting_position(registration)
        _mail(recipient, lambda: _("Sei in lista d'attesa: %(title)s", title=event.title),
              "event_registration_waiting", event=event, registration=registration, position=position,
              **_links(registration))
        _in_app(recipient, "registration_waiting",
                lambda: _("«%(title)s» è al completo: sei in lista d'attesa, posizione %(position)s. "
                          "Ti avvisiamo se si libera un posto.", title=event.title, position=position),
                url=path)


def on_registration_promoted(event, registration, **_extra):
    recipient = recipient_of(registration)
    path = registration_url(registration, external=False) if registration.user_id else ""
    _mail(recipient, lambda: _("Si è liberato un posto: la tua iscrizione a %(title)s è confermata", title=event.title),
          "event_registration_promoted", calendar_of=event, code=registration.code, event=event,
          registration=registration,
          **_links(registration))
    _in_app(recipient, "registration_promoted",
            lambda: _("Si è liberato un posto: la tua iscrizione a «%(title)s» è confermata. "
                      "Il tuo codice per l'ingresso è %(code)s.", title=event.title, code=registration.code),
            detail=registration.code, url=path)


def on_registration_cancelled(event, registration, by=None, **_extra):
    """Only when someone else (who runs the event) cancelled it: the owner knows what they did."""
    if by is None or (registration.user_id is not None and by.id == registration.user_id):
        return
    recipient = recipient_of(registration)
    _mail(recipient, lambda: _("La tua iscrizione a %(title)s è stata annullata", title=event.title),
          "event_registration_cancelled", event=event, registration=registration, **_links(registration))
    _in_app(recipient, "registration_cancelled",
            lambda: _("Chi organizza «%(title)s» ha annullato la tua iscrizione.", title=event.title),
            url=event_url(event, external=False))


# ---- the event, to everyone registered ----------------------------------------------------

def changed_labels(changes):
    """What changed, in words, each once (start and end are one "date and time")."""
    words = {
        "title": _("il titolo"),
        "starts_at": _("la data o l'orario"),
        "ends_at": _("la data o l'orario"),
        "is_online": _("il luogo"),
        "lab_id": _("il luogo"),
        "online_url": _("il link per partecipare online"),
    }
    labels = []
    for change in changes:
        label = words.get(change)
        if label and label not in labels:
            labels.append(label)
    return labels


def on_event_changed(event, registrations=(), changes=(), **_extra):
    _load_users(registrations)
    calendars = {}
    for registration in registrations:
        recipient = recipient_of(registration)
        if recipient is None:
            continue
        with in_language(recipient.locale):
            what = ", ".join(changed_labels(changes))
        _mail(recipient, lambda: _("Cambiamenti all'evento %(title)s", title=event.title), "event_changed",
              calendar_of=event, calendars=calendars, event=event, registration=registration, what=what,
              location=calendar.event_location(event), **_links(registration))
        _in_app(recipient, "event_changed",
                lambda what=what: _("«%(title)s» è cambiato (%(what)s). Quando: %(when)s.",
                                    title=event.title, what=what, when=when_text(event)),
                url=registration_url(registration, external=False))


def on_event_cancelled(event, registrations=(), **_extra):
    _load_users(registrations)
    calendars = {}
    for registration in registrations:
        recipient = recipient_of(registration)
        _mail(recipient, lambda: _("Evento annullato: %(title)s", title=event.title), "event_cancelled",
              calendar_of=event, calendars=calendars, event=event, registration=registration,
              **_links(registration))
        _in_app(recipient, "event_cancelled",
                lambda: _("«%(title)s» è stato annullato. Motivo: %(reason)s", title=event.title,
                          reason=event.cancel_reason),
                url=event_url(event, external=False))


def when_text(event):
    """When the event starts, in words of the current language (mails, notifications)."""
    return format_datetime(event.starts_at, "EEEE d MMMM y, HH:mm")


# ---- to who runs the lab --------------------------------------------------------------------

def lab_facilitators(lab_id):
    from civiclab.places.models import LabFacilitator

    return list(db.session.scalars(
        sa.select(User).join(LabFacilitator, LabFacilitator.user_id == User.id)
        .where(LabFacilitator.lab_id == lab_id, User.deleted_at.is_(None)).order_by(User.id)
    ))


def on_seats_threshold_reached(event, level, **_extra):
    for user in lab_facilitators(event.lab_id):
        recipient = user_recipient(user)
        _mail(recipient, lambda: _("%(title)s: posti occupati al %(level)s%%", title=event.title,
                                   level=level),
              "event_seats_threshold", event=event, level=level, event_link=event_url(event))
        _in_app(recipient, "seats_threshold",
                lambda: _("«%(title)s»: posti occupati al %(level)s%% (%(taken)s su %(capacity)s).",
                          title=event.title, level=level, taken=event.confirmed_seats,
                          capacity=event.capacity),
                url=event_url(event, external=False))


# ---- guests ---------------------------------------------------------------------------------

def send_guest_booking_link(event, name, email):
    """The mail whose link books a guest's seat: nothing is held until it is opened.

    Anybody may type any address, so the mail carries nothing they typed: no name (it travels
    only inside the signed link, to the confirmation page)."""
    link = external_url("events.guest_confirm", token=tokens.booking_token(event, name, email))
    recipient = Recipient(email, "it", None, "")
    return _mail(recipient, lambda: _("Conferma la tua prenotazione: %(title)s", title=event.title),
                 "event_guest_link", event=event, link=link, event_link=event_url(event),
                 hours=tokens.booking_max_age() // 3600)


def on_user_confirmed(user, **_extra):
    from civiclab.events.guests import attach_guest_registrations

    attach_guest_registrations(user)


# ---- wiring -----------------------------------------------------------------------------------

LISTENERS = (
    (signals.registration_created, on_registration_created),
    (signals.registration_promoted, on_registration_promoted),
    (signals.registration_cancelled, on_registration_cancelled),
    (signals.event_changed, on_event_changed),
    (signals.event_cancelled, on_event_cancelled),
    (signals.seats_threshold_reached, on_seats_threshold_reached),
    (signals.user_confirmed, on_user_confirmed),
)
_connected = False


def connect_listeners():
    """Connect every listener once per process, however many apps are made (tests make many)."""
    global _connected
    if _connected:
        return
    for signal, listener in LISTENERS:
        signal.connect(listener)
    _connected = True
