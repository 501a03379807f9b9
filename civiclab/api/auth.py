"""Who calls the API: the person whose personal access token is in `Authorization: Bearer …`, or
nobody. Cookies are never read here, so a page open in a browser cannot be made to write through
the API (no CSRF), and a session cookie alone reads only what a visitor reads.

A token is `clk_` and 43 random URL-safe characters; only its SHA-256 is stored, so the row is
looked up by that digest (a secret of 256 bits needs no slow hash). It stops working when it is
revoked, when it expires, when its person is blocked site-wide or deletes the account.
"""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from sqlalchemy.orm import joinedload

from civiclab.api.models import AccessToken
from civiclab.core import signals
from civiclab.core.time import utcnow
from civiclab.extensions import db, login_manager

TOKEN_PREFIX = "clk_"
TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at moves at most this often: no write per request


def digest(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret():
    """A fresh token: what the person copies (shown once) and what is kept of it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, digest(token), token[: len(TOKEN_PREFIX) + 6]


class Unauthenticated(Exception):
    """The request named a token that is not (or no longer) valid: 401."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def bearer_token():
    """The token in the Authorization header, "" when there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if not header:
        return ""
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated(_l("Intestazione Authorization non valida: usa \"Bearer <token>\"."))
    return value.strip()


def token_named(token):
    """The live AccessToken `token` names, with its user; raises Unauthenticated otherwise."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthenticated(_l("Token non valido, revocato o scaduto."))
    row = db.session.scalar(
        sa.select(AccessToken).options(joinedload(AccessToken.user)).where(AccessToken.token_hash == digest(token))
    )
    if row is None or not row.is_live() or row.user.deleted_at is not None:
        raise Unauthenticated(_l("Token non valido, revocato o scaduto."))
    return row


def authenticate():
    """Set who calls (g.api_token, and flask-login's current user) from the request; a request
    without a token is a visitor's, whatever cookies it carries."""
    token = bearer_token()
    row = token_named(token) if token else None
    g.api_token = row
    g._login_user = row.user if row else login_manager.anonymous_user()  # flask-login's current_user
    if row is not None:
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
            # Its own statement, so a request that fails and rolls back still records the use.
            db.session.execute(sa.update(AccessToken).where(AccessToken.id == row.id).values(last_used_at=now))
            db.session.commit()
    return row


def current_token():
    return g.get("api_token")


def caller_token(quiet=False):
    """The request's live token (None for a visitor), read once and kept in g. The limiter asks
    before the operation runs; `quiet` answers None for a token that is not valid (its guesses
    count by address) where the operation itself answers 401."""
    if "api_token" in g:
        return g.api_token
    try:
        return authenticate()
    except Unauthenticated:
        if quiet:
            return None
        raise


def _address():
    return f"address:{get_remote_address() or 'unknown'}"


def person_or_address():
    """Who an API write's rate limit counts: the token's person, with the key and budget of the
    pages' own (core/kit.person_key), so tokens do not multiply a person's writes; else the address."""
    row = caller_token(quiet=True)
    return f"user:{row.user_id}" if row is not None else _address()


def token_key():
    """Who an API read's rate limit counts: the token, else the caller's address."""
    row = caller_token(quiet=True)
    return f"token:{row.id}" if row is not None else _address()


# ---- revoking when the person goes ------------------------------------------------------------

def revoke_all(user):
    """Revoke every live token of `user`."""
    db.session.execute(
        sa.update(AccessToken).where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def on_user_blocked(user, **_extra):
    """A blocked person loses every token at once (as every sign-in session, accounts/sessions.py)."""
    revoke_all(user)


def on_credentials_reset(user, **_extra):
    """A password reset or changed, or "sign out everywhere": a token made by whoever held the
    account meanwhile must not outlive its recovery."""
    revoke_all(user)


def on_user_deleted(user, **_extra):
    """A deleted account leaves no token behind: their names are the person's own words."""
    db.session.execute(sa.delete(AccessToken).where(AccessToken.user_id == user.id))


def connect():
    signals.connect_listeners([(signals.user_blocked, on_user_blocked), (signals.user_deleted, on_user_deleted),
                               (signals.credentials_reset, on_credentials_reset)])
