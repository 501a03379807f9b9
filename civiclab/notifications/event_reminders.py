"""Reminders before an event: one mail (and an in-app notification) per confirmed registration,
once events/reminders.py says they are due (`reminder_hours_before` hours before the start).

Run by cron through `flask --app wsgi send-event-reminders` (every 15 minutes, say).

Never twice: each registration is *claimed* before its mail is sent, by

    UPDATE registrations SET reminder_sent_at = :now WHERE id = :id AND reminder_sent_at IS NULL

committed on its own. Only the run whose UPDATE changed the row sends that reminder, so running
the command twice, two copies at once, or again after a crash never sends a reminder twice. The
price is at most one lost reminder per crash: if the process dies (or the mail server refuses)
between the commit of a claim and the mail leaving, that registration stays claimed and is not
retried. The in-app notification is written in the same commit as the claim, so it is never
lost nor doubled. A failing send stops the run (the error goes to cron's log); the next run
carries on with the registrations not yet claimed.

With a job queue (JOB_QUEUE=rq) the command only queues `reminders_job`, which the worker runs:
the claims are the same, so a job retried, or two runs queued at once, still send each reminder
once; each mail is then a job of its own (core.mail.deliver), queued after its claim's commit and
retried by the worker when the mail server refuses it, instead of lost.
"""
from flask_babel import gettext as _

from civiclab.core.i18n import in_language
from civiclab.core.mail import send_mail
from civiclab.core.time import utcnow
from civiclab.core.urls import external_url, on_public_address
from civiclab.events import services
from civiclab.events.mails import registration_url, when_text
from civiclab.events.models import Registration
from civiclab.events.reminders import claim, due_registration_ids
from civiclab.extensions import db
from civiclab.notifications.services import notify

NOTIFICATION_KIND = "event_reminder"


def _locale(registration):
    locale = registration.user.locale if registration.user is not None else "it"
    return locale if locale in ("it", "en") else "it"


def _notify(registration, event):
    def message():
        return _("Promemoria: «%(title)s» inizia %(when)s.", title=event.title, when=when_text(event))

    def detail():
        return _("Codice di iscrizione: %(code)s", code=registration.code)

    notify(registration.user, NOTIFICATION_KIND, message, detail=detail,
           url=registration_url(registration, external=False))


def send_reminder_mail(registration, event):
    locale = _locale(registration)
    with in_language(locale):
        subject = _("Promemoria: «%(title)s», %(when)s", title=event.title, when=when_text(event))
    return send_mail(
        registration.email, subject, "event_reminder", locale=locale,
        registration=registration, event=event, lab=event.lab,
        event_link=external_url("events.event", event_id=event.id),
        # the person's own page: code, QR, and the way to cancel (a signed link for a guest)
        registration_link=registration_url(registration),
    )


def send_due_reminders(now=None):
    """Send every due reminder once; returns how many were sent. Commits as it goes.

    Each claim starts a transaction of its own with the UPDATE as its first statement: on SQLite
    the claim then waits for the write lock (busy timeout) instead of failing on a snapshot
    another run has moved past, and no lock is held while a mail is being sent.
    """
    now = now or utcnow()
    services.finish_past_events(now)
    db.session.commit()
    due = due_registration_ids(now)
    db.session.commit()  # ends the read transaction before the first claim
    sent = 0
    for registration_id in due:
        if not claim(registration_id, now):
            db.session.rollback()
            continue  # another run got there first
        registration = db.session.get(Registration, registration_id, populate_existing=True)
        event = registration.event
        if registration.user is not None and registration.user.is_active:
            _notify(registration, event)
        db.session.commit()  # the claim holds from here on, whatever happens to the mail
        if registration.email:
            send_reminder_mail(registration, event)
            sent += 1
        db.session.commit()  # ends the read transaction the mail's lazy loads may have opened
    return sent


def reminders_job(base_url=None):
    """The queued run of the reminders (JOB_QUEUE=rq): send_due_reminders on the public address."""
    with on_public_address(base_url):
        return send_due_reminders()
