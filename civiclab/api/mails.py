"""The API's mails: a person is told when a token is made in their name (as a new sign-in would
be noticed), so a token made by whoever held the account for a moment does not go unseen."""
import smtplib

from flask import current_app
from flask_babel import gettext as _

from civiclab.core.i18n import in_language
from civiclab.core.mail import send_mail
from civiclab.core.urls import external_url


def send_token_created(user, token):
    """In a request the mail leaves after the commit, in the background; from a command (`flask
    api-token create`) it is sent at once, and a mail server that does not answer is logged, not a
    reason to refuse the token."""
    locale = user.locale if user.locale in ("it", "en") else "it"
    with in_language(locale):
        subject = _("Nuovo token API sul tuo account CivicLab")
    try:
        return send_mail(user.email, subject, "api_token_created", locale=locale, user=user, token=token,
                         link=external_url("api_tokens.tokens"))
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("mail not sent: a new API token's notice to user %s", user.id)
        return None
