"""Signed links for guests: confirming a booking, then seeing or cancelling it.

A booking link carries everything the booking needs (event, name, email), so nothing is stored
until it is used: an expired or forged link holds and frees nothing. A guest's own link names
one registration and its email; it works as long as the registration exists.
"""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

BOOKING = "guest-booking"
REGISTRATION = "guest-registration"

BOOKING_MAX_AGE = 48 * 3600
REGISTRATION_MAX_AGE = 400 * 24 * 3600  # longer than any event is announced in advance


class TokenExpired(Exception):
    """The link was genuine but is too old; `payload` is what it said (e.g. which event)."""

    def __init__(self, payload=None):
        super().__init__("expired")
        self.payload = payload


class TokenInvalid(Exception):
    """The link was not made by us or was altered."""


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"civiclab.events.{purpose}")


def booking_max_age():
    """Seconds a guest's booking link lives (GUEST_BOOKING_MAX_AGE overrides the 48 hours)."""
    return current_app.config.get("GUEST_BOOKING_MAX_AGE", BOOKING_MAX_AGE)


def booking_token(event, name, email):
    return _serializer(BOOKING).dumps({"event": event.id, "name": name, "email": email})


def registration_token(registration):
    return _serializer(REGISTRATION).dumps({"id": registration.id, "email": registration.guest_email})


def _load(purpose, token, max_age):
    serializer = _serializer(purpose)
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


def read_booking_token(token):
    """{"event": id, "name": str, "email": str}, or TokenExpired / TokenInvalid."""
    payload = _load(BOOKING, token, booking_max_age())
    if not isinstance(payload.get("event"), int) or not all(
            isinstance(payload.get(key), str) and payload[key] for key in ("name", "email")):
        raise TokenInvalid()
    return payload


def read_registration_token(token):
    """{"id": registration id, "email": str}, or TokenExpired / TokenInvalid."""
    payload = _load(REGISTRATION, token, REGISTRATION_MAX_AGE)
    if not isinstance(payload.get("id"), int) or not isinstance(payload.get("email"), str):
        raise TokenInvalid()
    return payload
