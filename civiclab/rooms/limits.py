"""Per-user limits of rooms: messages (the socket and the no-JavaScript form share one counter) and
typing notices, counted in the rate-limit storage (Redis when RATELIMIT_STORAGE_URI names it, so
every process counts together).

Each limit is taken with one `hit`, which checks and counts in a single atomic step (a lock in
memory, a Lua script in Redis): a burst of concurrent messages cannot all pass a check made before
any of them is counted.
"""
from flask import current_app
from limits import RateLimitItemPerSecond, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

TYPING_INTERVAL = 2  # seconds: one `typing` notice per user and room at most this often


def init_limiter(app):
    app.extensions["civiclab_rooms_limiter"] = MovingWindowRateLimiter(
        storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or "memory://"))


def _limiter():
    return current_app.extensions["civiclab_rooms_limiter"]


def _prefix():
    return current_app.config.get("RATELIMIT_KEY_PREFIX") or "civiclab"


def message_limit():
    """The per-user limit on new messages (RATELIMIT_ROOM_MESSAGE; empty turns it off)."""
    setting = current_app.config.get("RATELIMIT_ROOM_MESSAGE")
    return parse(setting) if setting else None


def take_message_slot(user_id):
    """Count one new message of the user; False (and nothing counted) when over the limit."""
    limit = message_limit()
    return limit is None or _limiter().hit(limit, _prefix(), "room-message", str(user_id))


def take_typing_slot(user_id, room_id):
    """One typing notice per user and room every TYPING_INTERVAL, however many tabs are open."""
    return _limiter().hit(RateLimitItemPerSecond(1, TYPING_INTERVAL), _prefix(), "room-typing",
                          str(user_id), str(room_id))
