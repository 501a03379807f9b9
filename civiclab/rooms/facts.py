"""What a /rooms connection's messages are checked against, kept per connection and forgotten the
moment any of it may have changed, on every process.

A message is refused or allowed by facts that change rarely: the session it was opened with still
live, the account (not blocked, deleted or deactivated; confirmed), the room (readable, locked), the
writer's roles, mute and registration. The first message of a connection in a room looks them up
(rooms.sockets, as the pages do) and keeps the answer here, per sid and room; the next ones reuse
it while it is fresh:

- a version, bumped after every commit that touched a table those facts are read from (WATCHED,
  found by core/changes.py in every session's writes, so no service has to remember to say so);
  with REDIS_URL the version is a Redis counter every process reads on each message (one GET),
  else a number in this process (there is one). A rolled back change bumps nothing; a bump
  forgets every connection's facts (too often is only slower, never wrong);
- a deadline, for the facts that change with time alone: a mute ends, a session's last use must be
  recorded again (accounts.sessions.TOUCH_INTERVAL) before it could expire.
"""
import itertools
import logging
import threading
from collections import namedtuple

from civiclab.core import changes

# The tables a connection's write facts are read from, directly or through a permission
# (rooms.permissions, events/places/programmes permissions). A committed insert, update or
# delete in any of them bumps the version. tests/unit/rooms/test_room_facts.py fails when a table
# is in neither set: a new table must be classified here.
WATCHED = frozenset({
    "users", "user_sessions", "user_blocks", "organisations", "memberships",  # who, signed in, blocked
    "cities", "labs", "city_staff", "lab_facilitators",  # roles: who moderates
    "programmes", "axes", "actions", "city_plans", "projects",  # a project's room: who reads it
    "events", "event_audiences", "registrations",  # an event's room: who reads and writes
    "rooms", "room_members", "room_mutes",  # locked, participants-only, members, mutes
})
# Written often, read by no write check: changing them keeps every connection's facts.
UNRELATED = frozenset({
    "room_messages", "room_reads", "notifications", "notification_preferences", "follows",
    "comments", "comment_votes", "calls", "call_themes", "proposals", "proposal_transitions",
    "proposal_supports", "proposal_attachments", "upload_records", "reports", "moderation_actions",
    "outcome_statuses", "outcomes", "outcome_milestones", "outcome_proposals", "outcome_events",
    "outcome_attachments", "axis_budgets", "financial_snapshots", "form_keys", "alembic_version",
    "access_tokens",  # the API's tokens: sockets sign in by their session cookie only
    "verified_identities",  # SPID/CIE links: no room asks for a verified identity
    "audit_entries",  # the audit log: a record of acts, never a fact a connection acts on
})
# Updates that change no fact: a session's last use (moved at most every TOUCH_INTERVAL).
HARMLESS_UPDATES = {"user_sessions": frozenset({"last_seen_at"})}
# A new row that takes no connection's right away: an account that has no connection yet, a
# sign-in elsewhere. (A new registration, role or membership may give one: it counts.)
HARMLESS_INSERTS = frozenset({"users", "user_sessions"})

VERSION_KEY = "{prefix}:rooms:facts-version"

Writer = namedtuple("Writer", "id display_name deleted_at")  # the author of a checked message
RoomRef = namedtuple("RoomRef", "id")  # a room known by id (the sender of a checked message's signal)


# ---- the version ------------------------------------------------------------------------------

class MemoryVersion:
    """One process: the version is a counter here."""

    def __init__(self):
        self._counter = itertools.count(1)
        self._value = 0
        self._lock = threading.Lock()

    def current(self):
        return self._value

    def bump(self):
        with self._lock:
            self._value = next(self._counter)


class RedisVersion:
    """Several processes: the version is a Redis counter; each message reads it (one GET)."""

    def __init__(self, redis_url, prefix="civiclab", client=None):
        import redis

        self.redis = client or redis.Redis.from_url(redis_url)
        self.key = VERSION_KEY.format(prefix=prefix)

    def current(self):
        return int(self.redis.get(self.key) or 0)

    def bump(self):
        self.redis.incr(self.key)


def init_facts(app):
    redis_url = app.config.get("REDIS_URL")
    prefix = app.config.get("RATELIMIT_KEY_PREFIX") or "civiclab"
    app.extensions["civiclab_rooms_facts"] = RedisVersion(redis_url, prefix) if redis_url else MemoryVersion()


def _version():
    from flask import current_app

    return current_app.extensions["civiclab_rooms_facts"]


def current_version():
    """The version now (None when it cannot be read: then no kept facts are trusted)."""
    try:
        return _version().current()
    except Exception:  # Redis unreachable: look everything up again, as if it had changed
        logging.getLogger(__name__).exception("rooms facts version unreadable")
        return None


def bump():
    """Forget every connection's facts, on every process (see the module's docstring)."""
    _version().bump()


# ---- what changed (core/changes.py watches every session) ----------------------------------------

def _changes_facts(write):
    """Whether a committed write may change some connection's facts."""
    if write.table not in WATCHED:
        return write.table not in UNRELATED  # an unclassified table, or raw SQL, counts (see WATCHED)
    if write.kind == "insert":
        return write.table not in HARMLESS_INSERTS
    harmless = HARMLESS_UPDATES.get(write.table)
    if write.kind != "update" or harmless is None or write.columns is None:
        return True  # a delete, or an update whose columns are not known (a bulk statement)
    return bool(write.columns - harmless)


def _bump_after_commit():
    try:
        bump()
    except Exception:  # the commit has happened; a lost bump is logged loudly
        logging.getLogger(__name__).exception("rooms facts version not bumped")


def connect_invalidation():
    """Bump the version after every committed write that may change a connection's facts."""
    changes.watch(_changes_facts, _bump_after_commit)


# ---- a connection's kept facts -----------------------------------------------------------------

class Kept:
    """One connection's checked answer for one room: the writer, the refusal (None: may write), the
    version it was looked up at and when it goes stale by itself."""

    __slots__ = ("refusal", "valid_until", "version", "writer")

    def __init__(self, writer, refusal, version, valid_until):
        self.writer, self.refusal, self.version, self.valid_until = writer, refusal, version, valid_until

    def fresh(self, version, now):
        return version is not None and version == self.version and now < self.valid_until
