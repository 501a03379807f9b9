"""Outgoing mail: Flask-Mail, written to instance/mail in development, captured in tests.

Mails, like socket pushes, leave after the commit: inside a request a message is rendered there
(links and language need it) and handed to a background thread (a greenlet under gevent) once the
transaction commits; a rollback drops it. The answer to the request never waits for the mail
server, so a reset asked for a known address answers as fast as for an unknown one. Tests send at
once (MAIL_IN_BACKGROUND off) and capture the message.

A mail that is costly to build (templates in the recipient's language, a calendar, a QR image)
need not be built inside the request at all: `send_later(job, *values)` queues a job, a function
given plain values (ids, words), which reads what it mails in its own session and sends it, in the
background after the commit. A booking then holds its event's lock for the seat arithmetic only.

With a job queue (JOB_QUEUE=rq, core/jobs.py) both leave through it instead of the background
thread: `send_mail` queues `deliver` with the rendered message as plain data, `send_later` queues
the job itself; the worker runs them, and a mail server that refuses is tried again by RQ.
"""
import functools
import threading
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_mail import Message

from civiclab.core import jobs
from civiclab.core.after_commit import CommitQueue
from civiclab.core.i18n import in_language
from civiclab.core.time import utcnow
from civiclab.extensions import mail

_senders = []  # background threads still sending, for finish_sending()
# Background senders at work at once in a process: the others wait their turn, so a storm of
# bookings does not take the requests' database connections (or their CPU) all at once.
BACKGROUND_SENDERS = 2
_sending_slots = threading.BoundedSemaphore(BACKGROUND_SENDERS)


def send_mail(to, subject, template, locale=None, attachments=(), **context):
    """Render templates/mail/<template>.txt in the recipient's language and send it.

    `attachments`: (filename, content type, bytes) triples, e.g. an event's .ics file.
    """
    with in_language(locale or "it"):
        body = render_template(f"mail/{template}.txt", **context)
    # Subjects quote people's titles: a line break typed in one must not break the header.
    subject = " ".join(str(subject).split())
    message = Message(subject=subject, recipients=[to], body=body)
    for filename, content_type, data in attachments:
        message.attach(filename, content_type, data)
    if jobs.uses_queue():
        jobs.enqueue(deliver, message.subject, list(message.recipients), body,
                     [(a.filename, a.content_type, a.data) for a in message.attachments], message.sender)
    elif _in_background():
        _pending.add(functools.partial(dispatch, message))
    else:
        dispatch(message)
    return message


def send_later(job, *values, **named):
    """Run `job(*values, **named)` once the current transaction commits, in the background; a rollback
    drops it. `job` builds and sends mail from plain values (ids, not rows of this request's
    session: it runs in an app context of its own and reads what it needs there); a job whose
    rows are gone by then sends nothing. An error in it is logged and undoes nothing.

    Outside a request, or with MAIL_IN_BACKGROUND off (tests), the job runs at once, here. With
    JOB_QUEUE=rq it goes to the queue (after the commit inside a request), and the worker runs it.
    """
    if jobs.uses_queue():
        jobs.enqueue(job, *values, **named)
    elif _in_background():
        _pending.add(functools.partial(job, *values, **named))
    else:
        job(*values, **named)


def _in_background():
    return bool(current_app.config.get("MAIL_IN_BACKGROUND")) and has_request_context()


def dispatch(message):
    """Hand `message` to the mail server (or the development folder) now."""
    folder = current_app.config.get("MAIL_FILE_DIR")
    if folder and not current_app.testing:
        _write_to_folder(message, Path(folder))
    else:
        mail.send(message)


def deliver(subject, recipients, body, attachments=(), sender=None):
    """The job of one mail rendered in a request (JOB_QUEUE=rq): plain data in, the message out.
    An error goes up to the worker, which tries again later."""
    message = Message(subject=subject, recipients=list(recipients), body=body, sender=sender)
    for filename, content_type, data in attachments:
        message.attach(filename, content_type, data)
    dispatch(message)


def finish_sending(timeout=None):
    """Wait for the mails being sent in the background (tests; a clean shutdown)."""
    while _senders:
        _senders.pop().join(timeout)


def _send_in_background(sendings):
    app = current_app._get_current_object()

    def send_all():
        with _sending_slots, app.app_context():
            for send in sendings:
                try:
                    send()
                except Exception:  # a mail server's failure, or a job's, must not be lost silently
                    app.logger.exception("mail not sent: %s", _described(send))

    start_sender(send_all)


def start_sender(send_all):
    """Run `send_all` in a background thread (tests replace this to run it when they choose)."""
    # Not a daemon: a command that sent mail ends only once the mail has left.
    sender = threading.Thread(target=send_all, name="civiclab-mail", daemon=False)
    _senders[:] = [thread for thread in _senders if thread.is_alive()] + [sender]
    sender.start()


def _described(send):
    if send.func is dispatch:
        message = send.args[0]
        return f"{message.subject!r} to {message.recipients}"
    return f"{send.func.__module__}.{send.func.__qualname__}{send.args!r} {send.keywords!r}"


# Mails and mail jobs waiting for the commit: functools.partial objects, called in order.
_pending = CommitQueue("civiclab_mail", _send_in_background)


def connect_mail_after_commit():
    _pending.connect()


def _write_to_folder(message, folder):
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    recipient = message.recipients[0].replace("@", "_at_").replace("/", "_")
    (folder / f"{stamp}-{recipient}.eml").write_bytes(message.as_bytes())
    # Keep the signal that tests and the audit use, whichever way mail leaves.
    from flask_mail import email_dispatched
    email_dispatched.send(current_app._get_current_object(), message=message)  # as Flask-Mail 0.10
