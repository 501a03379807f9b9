"""Outgoing mail: Flask-Mail, written to instance/mail in development, captured in tests."""
from pathlib import Path

from flask import current_app, render_template
from flask_mail import Message

from civiclab.core.i18n import in_language
from civiclab.core.time import utcnow
from civiclab.extensions import mail


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
    folder = current_app.config.get("MAIL_FILE_DIR")
    if folder and not current_app.testing:
        _write_to_folder(message, Path(folder))
    else:
        mail.send(message)
    return message


def _write_to_folder(message, folder):
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    recipient = message.recipients[0].replace("@", "_at_").replace("/", "_")
    (folder / f"{stamp}-{recipient}.eml").write_bytes(message.as_bytes())
    # Keep the signal that tests and the audit use, whichever way mail leaves.
    from flask_mail import email_dispatched
    email_dispatched.send(current_app._get_current_object(), message=message)  # as Flask-Mail 0.10
