"""Participation figures of a city or a lab: aggregates only, never a person.

One function per scope (`participation_of_city`, `participation_of_lab`) answers a `Participation`:
a list of tables (caption, columns, rows of whole numbers). The page, the CSV and the JSON are
all written from that one structure, so they cannot disagree.

What is counted, and why (the page says the same):
- events: published or finished (drafts and cancelled events are left out; cancelling an event
  cancels its registrations); the month is the Europe/Rome month the event starts in;
- registrations: confirmed ones, as bookings and as seats (a school books a whole class); present:
  checked in at the door (`attended_at`). A booking made without an account is a guest's
  ("Ospiti"), whatever type it was booked as; the others by the type declared when booking;
- proposals: submitted and beyond (drafts are private to their authors), by state and by theme;
- supports, and visible comments (neither deleted nor hidden) on those proposals and, for a
  city, on its published projects and outcomes;
- rooms: active when a message that was not removed was written in the last ACTIVE_ROOM_DAYS days.

Seven GROUP BY queries whatever the number of events, people or rows; the loops below run over
groups (event × type), never over people.
"""
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civiclab.accounts.models import ParticipantType
from civiclab.comments.models import Comment
from civiclab.core.time import ROME, to_rome, utcnow
from civiclab.events.models import Event, EventState, Registration, RegistrationState
from civiclab.extensions import db
from civiclab.outcomes.models import Outcome
from civiclab.places.models import Lab
from civiclab.programmes.models import Project
from civiclab.proposals.models import Call, CallTheme, Proposal, ProposalState, Support
from civiclab.rooms.models import Message, Room, RoomKind

ACTIVE_ROOM_DAYS = 30
# The years the filter offers and accepts: the first programmes of the labs (PON Metro 2014-2020)
# to the year after this one (events are scheduled ahead).
FIRST_YEAR = 2014
COUNTED_EVENT_STATES = (EventState.PUBLISHED, EventState.FINISHED)
COUNTED_PROPOSAL_STATES = tuple(state for state in ProposalState if state is not ProposalState.DRAFT)
GUESTS = "ospiti"

ATTENDANCE_COLUMNS = (
    ("bookings", _l("Iscrizioni confermate")),
    ("seats", _l("Posti confermati")),
    ("present_bookings", _l("Iscrizioni presenti")),
    ("present_seats", _l("Posti presenti")),
)
COUNT_COLUMN = (("count", _l("Numero")),)


@dataclass
class Row:
    key: str
    label: str
    values: list  # whole numbers, one per column of the table


@dataclass
class Table:
    key: str
    caption: object  # lazy string
    row_header: object
    columns: tuple  # (key, label) pairs
    rows: list = field(default_factory=list)
    total: Row | None = None  # the table's last row, set apart on the page

    @property
    def all_rows(self):
        return [*self.rows, self.total] if self.total is not None else list(self.rows)


@dataclass
class Participation:
    city: object
    lab: object | None
    year: int | None
    tables: list
    active_room_days: int = ACTIVE_ROOM_DAYS

    @property
    def scope_name(self):
        return self.lab.name if self.lab is not None else self.city.name

    def table(self, key):
        return next(table for table in self.tables if table.key == key)


def year_choices(now=None):
    """The years the filter offers, latest first."""
    this_year = to_rome(now or utcnow()).year
    return list(range(this_year + 1, FIRST_YEAR - 1, -1))


def parse_year(text, now=None):
    """(year or None, valid?): an empty value means every year; anything else must be one of
    year_choices()."""
    text = (text or "").strip()
    if not text:
        return None, True
    if re.fullmatch(r"[0-9]{4}", text) and int(text) in year_choices(now):
        return int(text), True
    return None, False


def participation_of_city(city, year=None, now=None):
    labs = sa.select(Lab.id).where(Lab.city_id == city.id)
    events = sa.select(Event.id).where(Event.lab_id.in_(labs), Event.state.in_(COUNTED_EVENT_STATES))
    proposals = (sa.select(Proposal.id)
                 .where(Proposal.call_id.in_(sa.select(Call.id).where(Call.city_id == city.id))))
    projects = sa.select(Project.id).where(Project.city_id == city.id, Project.published.is_(True))
    outcomes = sa.select(Outcome.id).where(Outcome.project_id.in_(projects), Outcome.published.is_(True))
    scope = _Scope(
        events=events, proposals=proposals,
        comment_subjects=((Comment.project_id, projects), (Comment.outcome_id, outcomes)),
        rooms=sa.or_(Room.event_id.in_(events), Room.lab_id.in_(labs), Room.project_id.in_(projects)),
    )
    return _participation(city, None, scope, year, now)


def participation_of_lab(lab, year=None, now=None):
    events = sa.select(Event.id).where(Event.lab_id == lab.id, Event.state.in_(COUNTED_EVENT_STATES))
    # The lab's proposals: those that name it, and those written for one of its calls.
    proposals = sa.select(Proposal.id).where(sa.or_(
        Proposal.lab_id == lab.id, Proposal.call_id.in_(sa.select(Call.id).where(Call.lab_id == lab.id))))
    scope = _Scope(events=events, proposals=proposals, comment_subjects=(),
                   rooms=sa.or_(Room.event_id.in_(events), Room.lab_id == lab.id))
    return _participation(lab.city, lab, scope, year, now)


@dataclass
class _Scope:
    events: object  # SELECT of event ids
    proposals: object  # SELECT of proposal ids, any state
    comment_subjects: tuple  # (Comment column, SELECT of ids) besides the proposals
    rooms: object  # a WHERE clause on Room


def _year_range(year):
    """The Europe/Rome year as a UTC interval, or None for every year."""
    if year is None:
        return None
    start = datetime(year, 1, 1, tzinfo=ROME).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=ROME).astimezone(UTC)
    return start, end


def _within(column, years):
    return sa.true() if years is None else sa.and_(column >= years[0], column < years[1])


def _participation(city, lab, scope, year, now):
    now = now or utcnow()
    years = _year_range(year)
    counted_proposals = scope.proposals.where(Proposal.state.in_(COUNTED_PROPOSAL_STATES))

    by_type, by_month = _attendance(scope.events, years)
    events_count = db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(Event.id.in_(scope.events), _within(Event.starts_at, years)))
    by_state, by_theme = _proposals(counted_proposals, years)
    supports = db.session.scalar(
        sa.select(sa.func.count(Support.id))
        .where(Support.proposal_id.in_(counted_proposals), _within(Support.created_at, years)))
    comments = _comments(counted_proposals, scope.comment_subjects, years, with_projects=lab is None)
    rooms = _rooms(scope.rooms, now)

    attendance_total = by_type.total
    summary = Table("summary", _l("Riepilogo"), _l("Voce"), COUNT_COLUMN, rows=[
        Row("events", _l("Eventi"), [events_count]),
        Row("bookings", _l("Iscrizioni confermate"), [attendance_total.values[0]]),
        Row("seats", _l("Posti confermati"), [attendance_total.values[1]]),
        Row("present_bookings", _l("Iscrizioni presenti"), [attendance_total.values[2]]),
        Row("present_seats", _l("Posti presenti"), [attendance_total.values[3]]),
        Row("proposals", _l("Proposte presentate"), [by_state.total.values[0]]),
        Row("supports", _l("Sostegni"), [supports]),
        Row("comments", _l("Commenti"), [comments.total.values[0]]),
        Row("active_rooms", _l("Stanze attive"), [rooms.total.values[1]]),
    ])
    tables = [summary, by_type, by_month, by_state, by_theme, comments, rooms]
    return Participation(city=city, lab=lab, year=year, tables=tables)


def _total(columns, rows):
    return Row("total", _l("Totale"), [sum(row.values[i] for row in rows) for i in range(len(columns))])


def _attendance(events, years):
    """Confirmed registrations and presences by participant type and by month: one query grouped
    by event and type, folded here by type and by the Rome month of each event's start."""
    present = Registration.attended_at.is_not(None)
    # Grouped by an expression without parameters: PostgreSQL matches it with the selected one.
    guest = Registration.user_id.is_(None)
    query = (
        sa.select(
            Event.id, Event.starts_at, Registration.participant_type, guest,
            sa.func.count(Registration.id),
            sa.func.coalesce(sa.func.sum(Registration.seats), 0),
            sa.func.coalesce(sa.func.sum(sa.case((present, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((present, Registration.seats), else_=0)), 0),
        )
        .join(Event, Registration.event_id == Event.id)
        .where(Registration.state == RegistrationState.CONFIRMED, Event.id.in_(events),
               _within(Event.starts_at, years))
        .group_by(Event.id, Event.starts_at, Registration.participant_type, guest)
    )
    width = len(ATTENDANCE_COLUMNS)
    by_type = {kind.value: [0] * width for kind in ParticipantType}
    by_type[GUESTS] = [0] * width
    by_month = {}
    for _event_id, starts_at, participant_type, is_guest, *figures in db.session.execute(query):
        starts = to_rome(starts_at)
        month = by_month.setdefault(date(starts.year, starts.month, 1), [0] * width)
        kind = by_type[GUESTS if is_guest else participant_type.value]
        for i, figure in enumerate(figures):
            kind[i] += int(figure)
            month[i] += int(figure)

    type_rows = [Row(kind.value, kind.label, by_type[kind.value]) for kind in ParticipantType]
    if any(by_type[GUESTS]):
        type_rows.append(Row(GUESTS, _l("Ospiti (senza account)"), by_type[GUESTS]))
    type_table = Table("registrations_by_type", _l("Iscrizioni e presenze per tipo di partecipante"),
                       _l("Tipo di partecipante"), ATTENDANCE_COLUMNS, rows=type_rows,
                       total=_total(ATTENDANCE_COLUMNS, type_rows))
    month_rows = [Row(month.strftime("%Y-%m"), format_date(month, "LLLL y"), figures)
                  for month, figures in sorted(by_month.items())]
    month_table = Table("registrations_by_month", _l("Iscrizioni e presenze per mese dell'evento"),
                        _l("Mese"), ATTENDANCE_COLUMNS, rows=month_rows,
                        total=_total(ATTENDANCE_COLUMNS, month_rows))
    return type_table, month_table


def _proposals(counted, years):
    """Proposals (submitted and beyond) by state and by theme: one query grouped by both."""
    query = (
        sa.select(Proposal.state, CallTheme.name, sa.func.count(Proposal.id))
        .outerjoin(CallTheme, Proposal.theme_id == CallTheme.id)
        .where(Proposal.id.in_(counted), _within(Proposal.created_at, years))
        .group_by(Proposal.state, CallTheme.name)
    )
    by_state = dict.fromkeys(COUNTED_PROPOSAL_STATES, 0)
    by_theme = {}
    for state, theme_name, count in db.session.execute(query):
        theme_name = theme_name or ""
        by_state[state] += count
        by_theme[theme_name] = by_theme.get(theme_name, 0) + count

    state_rows = [Row(state.value, state.label, [count]) for state, count in by_state.items()]
    # Themes are per call: the same name under two calls is one theme here. No theme last.
    theme_rows = [Row(name, name, [count]) for name, count in sorted(by_theme.items(), key=lambda i: i[0].lower())
                  if name]
    if by_theme.get(""):
        theme_rows.append(Row("", _l("Senza tema"), [by_theme[""]]))
    return (
        Table("proposals_by_state", _l("Proposte per stato"), _l("Stato"), COUNT_COLUMN, rows=state_rows,
              total=_total(COUNT_COLUMN, state_rows)),
        Table("proposals_by_theme", _l("Proposte per tema"), _l("Tema"), COUNT_COLUMN, rows=theme_rows,
              total=_total(COUNT_COLUMN, theme_rows)),
    )


def _comments(counted_proposals, other_subjects, years, with_projects):
    """Visible comments by what they are about: one query, a sum per kind of subject."""
    columns = {"proposals": Comment.proposal_id, "projects": Comment.project_id,
               "outcomes": Comment.outcome_id}
    about = sa.or_(Comment.proposal_id.in_(counted_proposals),
                   *(column.in_(ids) for column, ids in other_subjects))
    query = (
        sa.select(*(sa.func.coalesce(sa.func.sum(sa.case((column.is_not(None), 1), else_=0)), 0)
                    for column in columns.values()))
        .where(about, Comment.deleted_at.is_(None), Comment.hidden_at.is_(None),
               _within(Comment.created_at, years))
    )
    counts = dict(zip(columns, (int(n) for n in db.session.execute(query).one())))
    subjects = [("proposals", _l("Sulle proposte"))]
    if with_projects:
        subjects += [("projects", _l("Sui progetti")), ("outcomes", _l("Sui risultati"))]
    rows = [Row(key, label, [counts.get(key, 0)]) for key, label in subjects]
    return Table("comments", _l("Commenti visibili per argomento"), _l("Argomento"), COUNT_COLUMN, rows=rows,
                 total=_total(COUNT_COLUMN, rows))


ROOM_COLUMNS = (("rooms", _l("Stanze")), ("active", _l("Stanze attive")))


def _rooms(where, now):
    """Rooms by kind, and how many had a message in the last ACTIVE_ROOM_DAYS days: one query."""
    since = now - timedelta(days=ACTIVE_ROOM_DAYS)
    recent = sa.select(Message.room_id).where(Message.created_at >= since, Message.deleted_at.is_(None))
    active = sa.case((Room.id.in_(recent), 1), else_=0)
    query = (sa.select(Room.kind, sa.func.count(Room.id), sa.func.coalesce(sa.func.sum(active), 0))
             .where(where).group_by(Room.kind))
    counts = {kind: [int(rooms), int(active_rooms)] for kind, rooms, active_rooms in db.session.execute(query)}
    rows = [Row(kind.value, kind.label, counts.get(kind, [0, 0])) for kind in RoomKind]
    return Table("rooms", _l("Stanze di discussione per tipo"), _l("Tipo di stanza"), ROOM_COLUMNS, rows=rows,
                 total=_total(ROOM_COLUMNS, rows))


# ---- the downloads -----------------------------------------------------------------------------

def as_json(participation):
    """The figures as JSON-ready data: the same tables, keys for machines and labels for people."""
    return {
        "city": {"slug": participation.city.slug, "name": participation.city.name},
        "lab": ({"slug": participation.lab.slug, "name": participation.lab.name}
                if participation.lab is not None else None),
        "year": participation.year,
        "active_room_days": participation.active_room_days,
        "tables": [
            {
                "key": table.key,
                "title": str(table.caption),
                "columns": [{"key": key, "label": str(label)} for key, label in table.columns],
                "rows": [{"key": row.key, "label": str(row.label),
                          "values": dict(zip((key for key, _ in table.columns), row.values))}
                         for row in table.all_rows],
            }
            for table in participation.tables
        ],
    }


def csv_rows(participation):
    """(header, rows) of the CSV: one line per figure (table, row, column, value)."""
    header = [_("Tabella"), _("Voce"), _("Misura"), _("Valore")]
    rows = [
        (str(table.caption), str(row.label), str(label), value)
        for table in participation.tables
        for row in table.all_rows
        for (_key, label), value in zip(table.columns, row.values)
    ]
    return header, rows
