"""Storing an audited action: a row added to the session of the action itself, so it is
committed with the action or rolled back with it (a refused or failed action leaves no trace)."""
import json
from datetime import date, datetime
from decimal import Decimal

from civiclab.audit.models import AuditEntry
from civiclab.core.kit import REASON_MAX
from civiclab.extensions import db

DETAIL_MAX = 500  # characters of one detail's value kept; the log records, it does not archive
DETAILS_MAX = 20  # details kept per entry


def plain(value):
    """`value` as a JSON value the log can keep: numbers, booleans and None as they are, lists and
    dicts walked, times in ISO 8601, anything else (Decimal, a lazy string, a row) as its text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in list(value)[:DETAILS_MAX]]
    if isinstance(value, dict):
        return {str(key)[:60]: plain(item) for key, item in list(value.items())[:DETAILS_MAX]}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return _text(value, DETAIL_MAX)


def _text(value, limit):
    """Text a database can store (no NUL, no lone surrogate), cut at `limit` characters."""
    text = str(value).replace("\0", "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:limit]


def clean_details(details):
    details = plain(dict(details or {}))
    json.dumps(details)  # raises now, in the action's own code path, rather than at the commit
    return details


def store_entry(actor, action, subject_type=None, subject_id=None, city_id=None, reason="", details=None, **_):
    """The `audited` listener: add the entry to the action's session (its flush and commit are the action's)."""
    actor_id = getattr(actor, "id", None) if actor is not None else None
    entry = AuditEntry(
        actor_id=actor_id, action=_text(action, 60), subject_type=_text(subject_type, 60) if subject_type else None,
        subject_id=subject_id if isinstance(subject_id, int) and not isinstance(subject_id, bool) else None,
        city_id=city_id if isinstance(city_id, int) and not isinstance(city_id, bool) else None,
        reason=_text(reason or "", REASON_MAX * 2), details=clean_details(details),
    )
    db.session.add(entry)
    return entry
