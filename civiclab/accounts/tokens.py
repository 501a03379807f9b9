"""Signed, expiring links: email confirmation and password reset."""
import hashlib

from civiclab.core.tokens import TokenExpired, TokenInvalid, read, sign

__all__ = ["TokenExpired", "TokenInvalid", "confirmation_token", "read_token", "reset_token"]

CONFIRM = "civiclab.accounts.confirm-email"
RESET = "civiclab.accounts.reset-password"


def password_fingerprint(password_hash):
    """A short digest of the password hash: a reset link dies once the password changes."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def confirmation_token(user):
    return sign(CONFIRM, {"id": user.id, "email": user.email})


def reset_token(user):
    return sign(RESET, {
        "id": user.id,
        "v": user.session_version,
        "pw": password_fingerprint(user.password_hash),
    })


def read_token(purpose, token, max_age):
    """The payload of a `purpose` (CONFIRM or RESET) token, or TokenExpired / TokenInvalid."""
    payload = read(purpose, token, max_age)
    if not isinstance(payload.get("id"), int):
        raise TokenInvalid()
    return payload
