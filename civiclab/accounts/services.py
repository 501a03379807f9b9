"""Accounts: registering, confirming, signing in, passwords, profile, export, deletion, memberships."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from civiclab.accounts import mails, sessions, tokens
from civiclab.accounts.models import (
    Membership,
    MembershipStatus,
    ParticipantType,
    User,
)
from civiclab.accounts.names import check_display_name, check_organisation_name, check_text
from civiclab.accounts.organisations import create_organisation, find_organisation, notify_approvers
from civiclab.accounts.passwords import password_problem
from civiclab.core import signals
from civiclab.core.errors import DomainError
from civiclab.core.registry import Registry
from civiclab.core.time import utcnow
from civiclab.extensions import db

DELETED_NAME = "Utente eliminato"
LANGUAGES = ("it", "en")
_timing_hash = []  # a hash to check unknown emails against, so both failures take as long


def normalise_email(email):
    return (email or "").strip().lower()


def find_user_by_email(email):
    email = normalise_email(email)
    if not email:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def check_new_password(password, email, display_name, field="password"):
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise DomainError(problem, field=field)


# ---- registration and confirmation ---------------------------------------------------------

def register(*, email, display_name, password, participant_type, privacy_consent, organisation=None,
             new_organisation_name="", new_organisation_city="", locale="it"):
    """A new, unconfirmed participant, or None when the address already has an account.

    In that case the owner of the address is told by mail and nothing is created; the caller
    shows the same page either way, so nobody learns which addresses are registered.
    """
    email = normalise_email(email)
    participant_type = ParticipantType(participant_type)
    creating = participant_type.needs_organisation and organisation is None
    if creating:
        new_organisation_name = check_organisation_name(new_organisation_name) if (new_organisation_name or "").strip() else ""
    display_name = check_display_name(None, display_name, allowed=(new_organisation_name,) if creating else ())
    if not privacy_consent:
        raise DomainError(_("Per registrarti devi accettare l'informativa sulla privacy."),
                          field="privacy_consent")
    check_new_password(password, email, display_name)
    if participant_type.needs_organisation:
        _check_organisation_choice(participant_type, organisation, new_organisation_name)

    existing = find_user_by_email(email)
    if existing is not None:
        generate_password_hash(password)  # the same work as a real registration: timing tells nothing
        mails.send_already_registered(existing)
        return None

    user = User(email=email, display_name=display_name, participant_type=participant_type,
                locale=locale if locale in LANGUAGES else "it", bio="", privacy_consent_at=utcnow())
    user.set_password(password)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:  # the same address registered a moment ago, in another request
        return None

    if participant_type.needs_organisation:
        if organisation is not None:
            db.session.add(Membership(organisation=organisation, user=user, status=MembershipStatus.PENDING))
        else:
            new = create_organisation(new_organisation_name, participant_type, new_organisation_city)
            db.session.add(Membership(organisation=new, user=user, status=MembershipStatus.ACTIVE,
                                      decided_at=utcnow()))
    db.session.flush()
    signals.user_registered.send(user)
    mails.send_confirmation(user)
    return user


def _check_organisation_choice(kind, organisation, new_name):
    if organisation is not None:
        if organisation.kind is not kind:
            raise DomainError(_("L'organizzazione scelta non è del tipo che hai indicato."),
                              field="organisation")
        return
    new_name = " ".join((new_name or "").split())
    if not new_name:
        raise DomainError(_("Indica l'organizzazione per cui ti registri: scegline una o creane una nuova."),
                          field="organisation")
    if find_organisation(new_name, kind) is not None:
        raise DomainError(_("Esiste già un'organizzazione con questo nome: sceglila dall'elenco per "
                            "chiedere di aderire."), field="new_organisation_name")


class LinkProblem(DomainError):
    """A mailed link that cannot be used (expired, altered, already used); `purpose` says which
    link ("confirm" or "reset"), so its page offers the right way on."""

    def __init__(self, message, purpose):
        super().__init__(message)
        self.purpose = purpose


LINK_PURPOSES = {tokens.CONFIRM: "confirm", tokens.RESET: "reset"}


def _used_link(purpose):
    return LinkProblem(_("Il link non è valido o è già stato usato."), LINK_PURPOSES[purpose])


def _read_link(purpose, token, max_age_key):
    try:
        return tokens.read_token(purpose, token, current_app.config[max_age_key])
    except tokens.TokenExpired:
        raise LinkProblem(_("Il link è scaduto: chiedine uno nuovo."), LINK_PURPOSES[purpose]) from None
    except tokens.TokenInvalid:
        raise _used_link(purpose) from None


def confirm_email(token):
    """The user whose address the link confirms (confirming twice is harmless)."""
    payload = _read_link(tokens.CONFIRM, token, "CONFIRM_TOKEN_MAX_AGE")
    user = db.session.get(User, payload["id"])
    if user is None or not user.is_active or user.email != payload.get("email"):
        raise _used_link(tokens.CONFIRM)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.flush()
        signals.user_confirmed.send(user)
        # Requests made at registration reach the approvers once the address is proven.
        for membership in user.memberships:
            if membership.is_pending:
                notify_approvers(membership)
    return user


def resend_confirmation(user):
    """Mail a new confirmation link; False (nothing sent) when the address is already confirmed."""
    if user.is_confirmed:
        return False
    mails.send_confirmation(user)
    return True


# ---- signing in and passwords -------------------------------------------------------------

def authenticate(email, password):
    """The active user with these credentials, or None (whatever was wrong)."""
    user = find_user_by_email(email)
    if user is None or not user.is_active or not user.password_hash:
        if not _timing_hash:
            _timing_hash.append(generate_password_hash("not-a-real-password"))
        check_password_hash(_timing_hash[0], password or "")
        return None
    return user if user.check_password(password or "") else None


def keep_language(user, chosen):
    """The language of a session that signs `user` in: the one the visitor chose before (which
    becomes the account's, for its pages and mails), else the account's own."""
    if chosen in LANGUAGES and chosen != user.locale:
        user.locale = chosen
        db.session.flush()
    return user.locale if user.locale in LANGUAGES else "it"


def request_password_reset(email):
    """Mail a reset link when the address has an account; say nothing either way."""
    user = find_user_by_email(email)
    if user is not None and user.is_active:
        mails.send_reset(user)


def user_for_reset_token(token):
    payload = _read_link(tokens.RESET, token, "RESET_TOKEN_MAX_AGE")
    user = db.session.get(User, payload["id"])
    if (user is None or not user.is_active or payload.get("v") != user.session_version
            or payload.get("pw") != tokens.password_fingerprint(user.password_hash)):
        raise _used_link(tokens.RESET)
    return user


def reset_password(token, password):
    user = user_for_reset_token(token)
    check_new_password(password, user.email, user.display_name)
    _replace_password(user, password)  # whoever holds a session of the account signs in again
    if user.email_confirmed_at is None:  # the link reached the mailbox: the address is proven
        user.email_confirmed_at = utcnow()
    db.session.flush()
    return user


def change_password(user, current_password, new_password):
    if not user.check_password(current_password or ""):
        raise DomainError(_("La password attuale non è corretta."), field="current_password")
    check_new_password(new_password, user.email, user.display_name, field="new_password")
    _replace_password(user, new_password, keep=user.current_session)  # only this device stays in
    db.session.flush()
    return user


def _replace_password(user, password, keep=None):
    user.set_password(password)
    user.session_version += 1  # every reset link stops working
    sessions.end_all_sessions(user, keep=keep)  # and every sign-in but `keep`
    signals.credentials_reset.send(user)  # and every API token (civiclab/api/auth.py)


# ---- profile, export, deletion ------------------------------------------------------------

def update_profile(user, display_name, bio, locale):
    if not (display_name or "").strip():
        raise DomainError(_("Il nome visualizzato è obbligatorio."), field="display_name")
    user.display_name = check_display_name(user, display_name)
    user.bio = check_text(bio, "bio")
    user.locale = locale if locale in LANGUAGES else user.locale
    db.session.flush()
    return user


# name -> fn(user) -> JSON-able data: the other domains' parts of every user's data export, each
# added from its domain's connect(): `export_section("proposals", personal_data.export_proposals)`.
EXPORT_SECTIONS = Registry("export sections")


def export_section(name, fn=None):
    """Add `fn(user) -> JSON-able data` as section `name` of every user's data export.

    Called from a domain's connect(). (Without `fn` it returns a decorator, for the domains whose
    personal_data.py still registers on import until they move to connect().)
    """
    if fn is not None:
        return EXPORT_SECTIONS.add(name, fn)
    return lambda function: EXPORT_SECTIONS.add(name, function)


def _iso(value):
    return value.isoformat() if value else None


def _export_identity(identity):
    if identity is None:
        return None
    return {"kind": identity.kind, "issuer": identity.issuer, "fiscal_number": identity.fiscal_masked,
            "linked_at": _iso(identity.linked_at), "last_login_at": _iso(identity.last_login_at)}


def export_user_data(user):
    """Everything CivicLab keeps about `user`, as plain JSON-able data."""
    data = {
        "format": "civiclab-user-export/1",
        "exported_at": _iso(utcnow()),
        "profile": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "participant_type": user.participant_type.value,
            "bio": user.bio,
            "language": user.locale,
            "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "privacy_consent_at": _iso(user.privacy_consent_at),
        },
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": m.organisation.name,
                "kind": m.organisation.kind.value,
                "status": m.status.value,
                "requested_at": _iso(m.requested_at),
                "decided_at": _iso(m.decided_at),
            }
            for m in sorted(user.memberships, key=lambda m: m.requested_at)
        ],
        "sessions": sessions.export_sessions(user),
        "verified_identity": _export_identity(user.verified_identity),
        "roles": {
            "administrator": bool(user.is_admin),
            "municipality_staff": [{"city_id": r.city_id, "city": r.city.name} for r in user.staff_roles],
            "facilitator": [{"lab_id": r.lab_id, "lab": r.lab.name, "city": r.lab.city.name}
                            for r in user.facilitator_roles],
        },
    }
    for name, contribute in EXPORT_SECTIONS.items():
        data[name] = contribute(user)
    return data


def delete_account(user, password):
    """Anonymise the account: the row stays so what others replied to keeps its author id."""
    if not user.check_password(password or ""):
        raise DomainError(_("La password non è corretta."), field="password")
    user.email = None
    user.display_name = DELETED_NAME
    user.password_hash = None
    user.bio = ""
    user.is_admin = False
    user.deleted_at = utcnow()
    user.memberships.clear()
    user.staff_roles.clear()
    user.facilitator_roles.clear()
    user.verified_identity = None  # the fiscal number's hash goes: the person may sign up again
    user.session_version += 1
    sessions.forget_sessions(user)
    db.session.flush()
    signals.user_deleted.send(user)
    return user
