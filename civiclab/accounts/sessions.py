"""Sign-in sessions: one revocable row per sign-in, named by the session and remember-me cookies.

Every sign-in opens a `UserSession` with a random key; the cookies carry "<user id>:<key>" (see
User.get_id) and the user loader accepts them only while that row is live: not revoked and used
within its lifetime (the remember-me duration if the user asked to be remembered, else the
session lifetime). Signing out revokes the row, so a copied cookie stops working at once; a
password change or reset revokes the user's other sessions, a site-wide block or a deletion all of
them. `signals.sessions_revoked` tells listeners (the rooms close those sessions' sockets).
"""
import functools
import hashlib
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from civiclab.accounts.models import User, UserSession
from civiclab.accounts.permissions import can_end_session
from civiclab.core import signals
from civiclab.core.errors import DomainError
from civiclab.core.time import utcnow
from civiclab.extensions import db

TOUCH_INTERVAL = timedelta(minutes=5)  # last_seen_at moves at most this often: no write per request
HISTORY = timedelta(days=30)  # ended sessions stay (listed in the export) this long, then go
REMEMBER_DEFAULT = timedelta(days=365)  # Flask-Login's remember-me cookie duration


def _hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def lifetime(user_session):
    """How long a session lasts unused: as long as the cookie that carries it."""
    if not user_session.remember:
        return current_app.permanent_session_lifetime
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION") or REMEMBER_DEFAULT
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def is_live(user_session, now=None):
    now = now or utcnow()
    return user_session.revoked_at is None and now < user_session.last_seen_at + lifetime(user_session)


# ---- opening and loading ----------------------------------------------------------------

def open_session(user, *, remember=False, user_agent="", ip_address=""):
    """A new live session of `user`, made the user's current one; its key is only in memory."""
    key = secrets.token_urlsafe(32)
    user_session = UserSession(user=user, key_hash=_hash(key), remember=bool(remember),
                               user_agent=summarise_user_agent(user_agent),
                               ip_address=(ip_address or "")[:45])
    user_session.key = key
    _prune_ended(user)
    db.session.add(user_session)
    db.session.flush()
    user.current_session = user_session
    return user_session


def sign_in(user, remember=False):
    """Sign `user` in on this request's device: every sign-in goes through here."""
    open_session(user, remember=remember, user_agent=request.user_agent.string,
                 ip_address=request.remote_addr or "")
    return login_user(user, remember=remember)


def sign_out():
    """Revoke the current session (its cookies, copies included, stop working) and sign out."""
    if current_user.is_authenticated and current_user.current_session is not None:
        _revoke([current_user.current_session], current_user)
    logout_user()


@functools.cache
def _session_by_key():
    """One statement, built once: the session named by a key's hash, its user and the user's roles
    (every page's permissions and menu ask them), joined; a user holds a handful of roles, so the
    join stays a few rows."""
    return (sa.select(UserSession).where(UserSession.key_hash == sa.bindparam("key_hash"))
            .options(joinedload(UserSession.user).options(joinedload(User.staff_roles),
                                                          joinedload(User.facilitator_roles))))


def load_signed_in_user(token):
    """The user a cookie's "<user id>:<key>" names while its session is live, else None."""
    user_id, _, key = (token or "").partition(":")
    if not user_id.isdigit() or not key:
        return None
    user_session = db.session.scalars(_session_by_key(), {"key_hash": _hash(key)}).unique().one_or_none()
    now = utcnow()
    if user_session is None or str(user_session.user_id) != user_id or not is_live(user_session, now):
        return None
    user = user_session.user
    if not user.is_active:
        return None
    if now - user_session.last_seen_at >= TOUCH_INTERVAL:
        user_session.last_seen_at = now  # committed with the request (rolled back with it too)
    user_session.key = key
    user.current_session = user_session
    return user


# ---- listing and ending -----------------------------------------------------------------

def live_sessions(user):
    """The user's live sessions, most recently used first."""
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    now = utcnow()
    return [row for row in rows if is_live(row, now)]


def end_session(actor, user_session):
    """End one of the actor's sessions (another device, or this one)."""
    if not can_end_session(actor, user_session):
        raise DomainError(_("Questa sessione non è tua."))
    if user_session.revoked_at is None:
        _revoke([user_session], actor)
    return user_session


def end_other_sessions(user):
    """End every session of `user` except the current one ("esci da tutti i dispositivi"), and
    every API token (listeners of `credentials_reset`)."""
    ended = end_all_sessions(user, keep=user.current_session)
    signals.credentials_reset.send(user)
    return ended


def end_all_sessions(user, keep=None):
    """Revoke every live session of `user` but `keep`; returns how many ended."""
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ).all()
    ended = [row for row in rows if keep is None or row.id != keep.id]
    _revoke(ended, user)
    return len(ended)


def forget_sessions(user):
    """Delete every session row of `user` (account deletion: devices and addresses are personal
    data); their sockets close as for a revocation."""
    rows = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).all()
    ids = [row.id for row in rows]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    if ids:
        signals.sessions_revoked.send(user, session_ids=ids)
    user.current_session = None


def _revoke(rows, user):
    if not rows:
        return
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    db.session.flush()
    signals.sessions_revoked.send(user, session_ids=[row.id for row in rows])


def _prune_ended(user):
    """Delete the user's sessions that ended more than HISTORY ago (revoked, or long unused)."""
    cutoff = utcnow() - HISTORY
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id,
                                     sa.or_(UserSession.revoked_at < cutoff, UserSession.last_seen_at < cutoff))
    ).all()
    for row in rows:
        if row.revoked_at is not None or not is_live(row):
            db.session.delete(row)


def on_user_blocked(user, **_extra):
    """A user blocked site-wide is signed out everywhere."""
    end_all_sessions(user)


def connect():
    signals.connect_listeners([(signals.user_blocked, on_user_blocked)])


# ---- the export ---------------------------------------------------------------------------

def export_sessions(user):
    def iso(value):
        return value.isoformat() if value else None

    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.created_at)
    ).all()
    return [{"device": row.user_agent, "ip_address": row.ip_address, "remember_me": row.remember,
             "created_at": iso(row.created_at), "last_seen_at": iso(row.last_seen_at),
             "ended_at": iso(row.revoked_at)} for row in rows]


# ---- a device's description -----------------------------------------------------------------

_BROWSERS = (  # order matters: Edge and Opera say "Chrome" too, Chrome says "Safari"
    ("Edge", r"Edg(e|A|iOS)?/"), ("Opera", r"OPR/|Opera"), ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"), ("Chrome", r"Chrome/|CriOS/|Chromium/"), ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"), ("iPhone", r"iPhone"), ("iPad", r"iPad"), ("Windows", r"Windows"),
    ("macOS", r"Macintosh|Mac OS X"), ("ChromeOS", r"CrOS"), ("Linux", r"Linux|X11"),
)


def summarise_user_agent(user_agent):
    """"Firefox, Linux" from a User-Agent header: enough to recognise a device, no more is kept."""
    user_agent = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    summary = ", ".join(part for part in (browser, system) if part)
    return summary or " ".join(user_agent.split())[:40]
