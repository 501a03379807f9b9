"""Signed links for guests: confirming a booking, then seeing or cancelling it.

A booking link carries everything the booking needs (event, name, email), so nothing is stored
until it is used: an expired or forged link holds and frees nothing. A guest's own link names
one registration and its email; it works as long as the registration exists.
"""
from flask import current_app, g, has_app_context

from civiclab.core.tokens import TokenExpired, TokenInvalid, read, sign

__all__ = ["TokenExpired", "TokenInvalid", "booking_token", "read_booking_token",
           "read_registration_token", "registration_token"]

BOOKING = "civiclab.events.guest-booking"
REGISTRATION = "civiclab.events.guest-registration"

BOOKING_MAX_AGE = 48 * 3600
REGISTRATION_MAX_AGE = 400 * 24 * 3600  # longer than any event is announced in advance


def booking_max_age():
    """Seconds a guest's booking link lives (GUEST_BOOKING_MAX_AGE overrides the 48 hours)."""
    return current_app.config.get("GUEST_BOOKING_MAX_AGE", BOOKING_MAX_AGE)


def booking_token(event, name, email):
    return sign(BOOKING, {"event": event.id, "name": name, "email": email})


def registration_token(registration):
    """The guest's link to their registration; within one request always the same one (the page
    and the mail it sends must agree, even when the clock ticks a second between them)."""
    key = (registration.id, registration.guest_email)
    cache = g.setdefault("registration_tokens", {}) if has_app_context() else {}
    if key not in cache:
        cache[key] = sign(REGISTRATION, {"id": registration.id, "email": registration.guest_email})
    return cache[key]


def read_booking_token(token):
    """{"event": id, "name": str, "email": str}, or TokenExpired / TokenInvalid."""
    payload = read(BOOKING, token, booking_max_age())
    if not isinstance(payload.get("event"), int) or not all(
            isinstance(payload.get(key), str) and payload[key] for key in ("name", "email")):
        raise TokenInvalid()
    return payload


def read_registration_token(token):
    """{"id": registration id, "email": str}, or TokenExpired / TokenInvalid."""
    payload = read(REGISTRATION, token, REGISTRATION_MAX_AGE)
    if not isinstance(payload.get("id"), int) or not isinstance(payload.get("email"), str):
        raise TokenInvalid()
    return payload
