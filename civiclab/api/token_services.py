"""Personal access tokens, as their person manages them on the token page: listing one's own,
making one (its secret returned once, only its digest kept), revoking one.

A token is made by a person with a confirmed email who is not blocked: a block revokes every
token (auth.on_user_blocked), so a blocked person making a new one would undo it. At most
MAX_LIVE tokens are live (neither revoked nor expired) at once; the count is taken under a lock
on the person's row, so two forms sent at the same moment cannot both make the tenth.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import abort
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from civiclab.accounts.blocks import active_block
from civiclab.accounts.models import User
from civiclab.api import mails
from civiclab.api.auth import new_secret
from civiclab.api.models import AccessToken
from civiclab.api.permissions import can_make_tokens, owns_token
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.text import TextProblem, clean_name
from civiclab.core.time import utcnow
from civiclab.extensions import db

NAME_MAX = 80  # AccessToken.name
MAX_LIVE = 10
SCOPE_CHOICES = ("read", "read write")  # what the form offers: read only, or read and write
LIFETIMES = (30, 90, 365, None)  # days a new token lasts; None: until revoked


# ---- reading ------------------------------------------------------------------------------

def tokens_of(user):
    """The person's tokens, newest first (revoked and expired ones too: the page says so)."""
    return db.session.scalars(sa.select(AccessToken).where(AccessToken.user_id == user.id)
                              .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())).all()


def live_tokens_select(user, now=None):
    now = now or utcnow()
    return sa.select(AccessToken).where(
        AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None),
        sa.or_(AccessToken.expires_at.is_(None), AccessToken.expires_at > now))


def load_token(token_id, for_="revoke"):
    """One of the signed-in person's own tokens; another's (or none) is not found (404)."""
    if for_ != "revoke":
        raise ValueError(for_)
    token = db.session.get(AccessToken, token_id)
    if token is None or not owns_token(current_user, token):
        abort(404)
    return token


def refusal(user):
    """Why `user` may not make a token now (a message), or None."""
    if not can_make_tokens(user):
        return _l("Conferma il tuo indirizzo email per creare un token API: trovi il link nella mail che "
                  "ti abbiamo inviato.")
    block = active_block(user)
    if block is None:
        return None
    if block.ends_at is None:
        return _l("Il tuo account è bloccato: non puoi creare token API. Motivo: %(reason)s", reason=block.reason)
    return _l("Il tuo account è bloccato fino al %(until)s: non puoi creare token API. Motivo: %(reason)s",
              until=format_datetime(block.ends_at, "short"), reason=block.reason)


# ---- writing ------------------------------------------------------------------------------

def _lock_person(user):
    """Serialise `user`'s token changes: their row, locked (SQLite: the write lock)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(User).where(User.id == user.id).values(session_version=User.session_version))
    else:
        db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())


def create_token(actor, name, scopes, lifetime_days):
    """A new token of `actor`: returns (the row, its secret). The secret is not kept anywhere:
    whoever shows it must show it now."""
    why_not = refusal(actor)
    if why_not is not None:
        raise NotAllowed(why_not)
    try:
        name = clean_name(name, max_length=NAME_MAX)
    except TextProblem as problem:
        raise DomainError(problem.message, field="name") from None
    if scopes not in SCOPE_CHOICES:
        raise DomainError(_l("Scegli che cosa può fare il token."), field="scopes")
    if lifetime_days not in LIFETIMES:
        raise DomainError(_l("Scegli per quanto tempo vale il token."), field="lifetime")
    _lock_person(actor)
    now = utcnow()
    live = db.session.scalar(sa.select(sa.func.count()).select_from(live_tokens_select(actor, now).subquery()))
    if live >= MAX_LIVE:
        raise DomainError(_l("Hai già %(n)d token attivi: revocane uno prima di crearne un altro.", n=MAX_LIVE))
    secret, digest, prefix = new_secret()
    token = AccessToken(user_id=actor.id, name=name, scopes=scopes, token_hash=digest, prefix=prefix,
                        created_at=now,
                        expires_at=now + timedelta(days=lifetime_days) if lifetime_days else None)
    db.session.add(token)
    db.session.flush()
    mails.send_token_created(actor, token)  # leaves after the commit, like every mail of a request
    return token, secret


def revoke_token(actor, token):
    """Revoke one of `actor`'s own tokens: from now on the API refuses it (401)."""
    if not owns_token(actor, token):
        raise NotAllowed(_l("Puoi revocare solo i tuoi token."))
    if token.revoked_at is not None:
        raise DomainError(_l("Questo token era già revocato."))
    token.revoked_at = utcnow()
    db.session.flush()
    return token
