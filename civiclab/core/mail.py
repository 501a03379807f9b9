"""Outgoing mail: Flask-Mail, written to instance/mail in development, captured in tests.

Mails, like socket pushes, leave after the commit: inside a request a message is rendered there
(links and language need it) and handed to a background thread (a greenlet under gevent) once the
transaction commits; a rollback drops it. The answer to the request never waits for the mail
server, so a reset asked for a known address answers as fast as for an unknown one. Tests send at
once (MAIL_IN_BACKGROUND off) and capture the message.
"""
import threading
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_mail import Message

from civiclab.core.after_commit import CommitQueue
from civiclab.core.i18n import in_language
from civiclab.core.time import utcnow
from civiclab.extensions import mail

_senders = []  # background threads still sending, for finish_sending()


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
    if current_app.config.get("MAIL_IN_BACKGROUND") and has_request_context():
        _pending.add(message)
    else:
        dispatch(message)
    return message


def dispatch(message):
    """Hand `message` to the mail server (or the development folder) now."""
    folder = current_app.config.get("MAIL_FILE_DIR")
    if folder and not current_app.testing:
        _write_to_folder(message, Path(folder))
    else:
        mail.send(message)


def finish_sending(timeout=None):
    """Wait for the mails being sent in the background (tests; a clean shutdown)."""
    while _senders:
        _senders.pop().join(timeout)


def _send_in_background(messages):
    app = current_app._get_current_object()

    def send_all():
        with app.app_context():
            for message in messages:
                try:
                    dispatch(message)
                except Exception:  # noqa: BLE001 (a mail server's failure must not be lost silently)
                    app.logger.exception("mail %r to %s not sent", message.subject, message.recipients)

    # Not a daemon: a command that sent mail ends only once the mail has left.
    sender = threading.Thread(target=send_all, name="civiclab-mail", daemon=False)
    _senders[:] = [thread for thread in _senders if thread.is_alive()] + [sender]
    sender.start()


_pending = CommitQueue("civiclab_mail", _send_in_background)  # messages waiting for the commit


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
