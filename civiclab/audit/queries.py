"""Reading the audit log: the entries a reader may see, filtered, newest first, a page at a time."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from civiclab.accounts.models import User
from civiclab.audit.models import AuditEntry
from civiclab.audit.permissions import audit_city_ids
from civiclab.core.pagination import Key, keyset_page
from civiclab.core.time import ROME
from civiclab.extensions import db
from civiclab.places.models import City

ORDER = (Key(AuditEntry.at, descending=True), Key(AuditEntry.id, descending=True))
EXPORT_MAX = 50_000  # rows in one CSV; narrow the filters for more


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor: str | None = None  # part of a name or an email, or an account's number
    city_id: int | None = None
    subject_type: str | None = None
    subject_id: int | None = None
    since: date | None = None  # first day (Rome), included
    until: date | None = None  # last day (Rome), included


def _rome_midnight(day):
    return datetime.combine(day, time(0), tzinfo=ROME)


def _like(text):
    """`text` as a LIKE pattern that matches it anywhere, its own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def entries_select(reader, filters=AuditFilters()):
    """The entries `reader` may read (all for administrators, their cities' for staff), filtered."""
    query = sa.select(AuditEntry).options(joinedload(AuditEntry.actor))
    city_ids = audit_city_ids(reader)
    if city_ids is not None:
        query = query.where(AuditEntry.city_id.in_(city_ids or {-1}))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.city_id is not None:
        query = query.where(AuditEntry.city_id == filters.city_id)
    if filters.subject_type:
        query = query.where(AuditEntry.subject_type == filters.subject_type)
    if filters.subject_id is not None:
        query = query.where(AuditEntry.subject_id == filters.subject_id)
    if filters.since:
        query = query.where(AuditEntry.at >= _rome_midnight(filters.since))
    if filters.until:
        query = query.where(AuditEntry.at < _rome_midnight(filters.until + timedelta(days=1)))
    if filters.actor:
        # Emails are matched for administrators only: a city's staff would otherwise guess, letter
        # by letter, the addresses of the people acting in their city (they see their names).
        query = query.where(AuditEntry.actor_id.in_(_actors_matching(filters.actor, by_email=city_ids is None)))
    return query


def _actors_matching(text, by_email):
    """The accounts whose number is `text`, or whose (live) name (or email) contains it."""
    text = text.strip()
    pattern = _like(text)
    matches = [sa.func.lower(User.display_name).like(pattern, escape="\\")]
    if by_email:
        matches.append(sa.func.lower(User.email).like(pattern, escape="\\"))
    if text.isdigit() and int(text) < 2**63:
        matches.append(User.id == int(text))
    return sa.select(User.id).where(sa.or_(*matches))


def entries_page(reader, filters, per_page):
    """A keyset page of the entries, newest first: one query however far one reads."""
    return keyset_page(db.session, entries_select(reader, filters), ORDER, list_name="audit",
                       per_page=per_page)


def entries_for_export(reader, filters):
    query = entries_select(reader, filters).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return db.session.scalars(query.limit(EXPORT_MAX)).unique().all()


def actions_present(reader):
    """The distinct actions of the entries `reader` may read, for the filter's choices."""
    query = sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    city_ids = audit_city_ids(reader)
    if city_ids is not None:
        query = query.where(AuditEntry.city_id.in_(city_ids or {-1}))
    return db.session.scalars(query).all()


def subject_types_present(reader):
    query = (sa.select(AuditEntry.subject_type).where(AuditEntry.subject_type.is_not(None))
             .distinct().order_by(AuditEntry.subject_type))
    city_ids = audit_city_ids(reader)
    if city_ids is not None:
        query = query.where(AuditEntry.city_id.in_(city_ids or {-1}))
    return db.session.scalars(query).all()


def readable_cities(reader):
    """The cities whose entries `reader` reads: every city for administrators (one query)."""
    query = sa.select(City).order_by(City.name)
    city_ids = audit_city_ids(reader)
    if city_ids is not None:
        query = query.where(City.id.in_(city_ids or {-1}))
    return db.session.scalars(query).all()
