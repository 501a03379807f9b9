"""The mails accounts send, each in its recipient's language."""
from flask import current_app
from flask_babel import gettext as _

from civiclab.accounts import tokens
from civiclab.core.i18n import in_language
from civiclab.core.mail import send_mail
from civiclab.core.urls import external_url


def _send(to, locale, subject, template, **context):
    """`subject` is a callable so it is translated in the recipient's language too."""
    locale = locale if locale in ("it", "en") else "it"
    with in_language(locale):
        title = subject()
    return send_mail(to, title, template, locale=locale, **context)


def send_confirmation(user):
    link = external_url("accounts.confirm", token=tokens.confirmation_token(user))
    return _send(user.email, user.locale, lambda: _("Conferma il tuo indirizzo email su CivicLab"),
                 "confirm", user=user, link=link,
                 days=max(1, current_app.config["CONFIRM_TOKEN_MAX_AGE"] // 86400))


def send_already_registered(user):
    """Someone tried to register with this address: tell its owner, not the stranger."""
    return _send(user.email, user.locale, lambda: _("Tentativo di registrazione con il tuo indirizzo"),
                 "already_registered", user=user,
                 login_link=external_url("accounts.login"),
                 reset_link=external_url("accounts.reset_request"))


def send_reset(user):
    link = external_url("accounts.reset", token=tokens.reset_token(user))
    return _send(user.email, user.locale, lambda: _("Reimposta la tua password di CivicLab"),
                 "reset", user=user, link=link,
                 minutes=max(1, current_app.config["RESET_TOKEN_MAX_AGE"] // 60))


def send_membership_requested(approver, membership):
    link = external_url("accounts.organisation", org_id=membership.organisation_id)
    return _send(approver.email, approver.locale,
                 lambda: _("Nuova richiesta di adesione a %(name)s", name=membership.organisation.name),
                 "membership_requested", approver=approver, membership=membership, link=link)


def send_membership_decided(membership):
    user = membership.user
    link = external_url("accounts.organisation", org_id=membership.organisation_id)
    return _send(user.email, user.locale,
                 lambda: _("La tua richiesta di adesione a %(name)s", name=membership.organisation.name),
                 "membership_decided", user=user, membership=membership, link=link)


def send_organisation_verified(member, organisation):
    """The city's staff verified or refused the organisation `member` acts for."""
    link = external_url("accounts.organisation", org_id=organisation.id)
    return _send(member.email, member.locale,
                 lambda: _("Verifica di %(name)s su CivicLab", name=organisation.name),
                 "organisation_verified", user=member, organisation=organisation, link=link)
