"""Signed, expiring links (itsdangerous): what every domain's links share.

A domain names its links by a salt of its own ("civiclab.accounts.confirm-email"), so a link
made for one purpose never passes for another.
"""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenExpired(Exception):
    """The link was genuine but is too old; `payload` is what it said (e.g. which event)."""

    def __init__(self, payload=None):
        super().__init__("expired")
        self.payload = payload


class TokenInvalid(Exception):
    """The link was not made by us or was altered."""


def _serializer(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(salt, payload):
    return _serializer(salt).dumps(payload)


def read(salt, token, max_age):
    """The dict a link signed with `salt` carries, or TokenExpired / TokenInvalid."""
    serializer = _serializer(salt)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as expired:
        # The signature was checked before the age: the payload is ours, only too old.
        try:
            old = serializer.load_payload(expired.payload)
        except BadSignature:
            old = None
        raise TokenExpired(old) from None
    except BadSignature:
        raise TokenInvalid() from None
    if not isinstance(payload, dict):
        raise TokenInvalid()
    return payload
