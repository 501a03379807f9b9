"""Time: stored in UTC, shown in Europe/Rome."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROME = ZoneInfo("Europe/Rome")


def utcnow():
    return datetime.now(timezone.utc)


def to_rome(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(ROME)


class UTCDateTime(sa.types.TypeDecorator):
    """An aware UTC datetime on every database (SQLite keeps no zone of its own)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def isoformat(value):
    """`value` as an ISO 8601 string (UTC as stored), or None: how data exports write times."""
    return value.isoformat() if value is not None else None
