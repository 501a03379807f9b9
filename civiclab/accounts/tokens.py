"""Signed, expiring links: email confirmation and password reset."""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM = "confirm-email"
RESET = "reset-password"


class TokenExpired(Exception):
    """The link was genuine but is too old."""


class TokenInvalid(Exception):
    """The link was not made by us, was altered, or has already been used."""


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"civiclab.accounts.{purpose}")


def password_fingerprint(password_hash):
    """A short digest of the password hash: a reset link dies once the password changes."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def confirmation_token(user):
    return _serializer(CONFIRM).dumps({"id": user.id, "email": user.email})


def reset_token(user):
    return _serializer(RESET).dumps({
        "id": user.id,
        "v": user.session_version,
        "pw": password_fingerprint(user.password_hash),
    })


def read_token(purpose, token, max_age):
    """The payload of a token made for `purpose`, or TokenExpired / TokenInvalid."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenExpired() from None
    except BadSignature:
        raise TokenInvalid() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise TokenInvalid()
    return payload
