"""Mails of events: who receives them (a person or a guest), in which language, with which
links, calendar and QR code attached. What the signals of events/services.py send is decided in
notifications/events.py; the link that books a guest's seat is mailed from here.

Everybody hears in their own language (user.locale; guests in Italian). A mail the server cannot
take is logged and undoes nothing: the booking stands.
"""
import smtplib
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from civiclab.accounts.models import User
from civiclab.core.i18n import in_language
from civiclab.core.mail import send_mail
from civiclab.core.qr import qr_png
from civiclab.core.urls import external_url
from civiclab.events import calendar, tokens
from civiclab.extensions import db

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


def mail_links(registration):
    event = registration.event
    links = {"registration_link": registration_url(registration), "event_link": event_url(event),
             "ics_link": external_url("events.event_ics", event_id=event.id),
             "signup_link": None}
    if registration.user_id is None:
        links["signup_link"] = external_url("accounts.register", email=registration.guest_email)
    return links


def send_event_mail(recipient, subject, template, calendar_of=None, code=None, calendars=None, **context):
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


def load_users(registrations):
    """One query for the accounts of many registrations (then registration.user costs nothing)."""
    ids = {r.user_id for r in registrations if r.user_id is not None}
    if ids:
        list(db.session.scalars(sa.select(User).where(User.id.in_(ids))))


# ---- what mails say ------------------------------------------------------------------------

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


def when_text(event):
    """When the event starts, in words of the current language (mails, notifications)."""
    return format_datetime(event.starts_at, "EEEE d MMMM y, HH:mm")


# ---- guests ---------------------------------------------------------------------------------

def send_guest_booking_link(event, name, email):
    """The mail whose link books a guest's seat: nothing is held until it is opened.

    Anybody may type any address, so the mail carries nothing they typed: no name (it travels
    only inside the signed link, to the confirmation page)."""
    link = external_url("events.guest_confirm", token=tokens.booking_token(event, name, email))
    recipient = Recipient(email, "it", None, "")
    return send_event_mail(recipient, lambda: _("Conferma la tua prenotazione: %(title)s", title=event.title),
                           "event_guest_link", event=event, link=link, event_link=event_url(event),
                           hours=tokens.booking_max_age() // 3600)
