"""Attendance: who is confirmed for an event, who came, and the figures by participant type.

The pages that show figures (check-in, organiser dashboard) ask for many events at once, so the
aggregates take a list of event ids and answer with one GROUP BY query, whatever their number.
"""
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from civiclab.accounts.models import Organisation, ParticipantType, User
from civiclab.core.db import LIKE_ESCAPE, like_pattern
from civiclab.core.spreadsheet import csv_text
from civiclab.core.time import to_rome
from civiclab.events.models import Event, Registration, RegistrationState
from civiclab.extensions import db

# The order the dashboard shows participant types in (citizens, schools, businesses, third
# sector, university, public bodies): the enum's own order.
PARTICIPANT_TYPES = tuple(ParticipantType)


@dataclass
class Tally:
    """Confirmed bookings and seats, and how many of them were marked present."""

    bookings: int = 0
    seats: int = 0
    present_bookings: int = 0
    present_seats: int = 0

    def add(self, other):
        self.bookings += other.bookings
        self.seats += other.seats
        self.present_bookings += other.present_bookings
        self.present_seats += other.present_seats


@dataclass
class Attendance:
    """One event's figures (or the totals of several): confirmed, waiting, present, by type."""

    confirmed: Tally = field(default_factory=Tally)
    waiting_bookings: int = 0
    waiting_seats: int = 0
    by_type: dict = field(default_factory=lambda: {kind: Tally() for kind in PARTICIPANT_TYPES})

    def add(self, other):
        self.confirmed.add(other.confirmed)
        self.waiting_bookings += other.waiting_bookings
        self.waiting_seats += other.waiting_seats
        for kind, tally in other.by_type.items():
            self.by_type[kind].add(tally)

    @property
    def types_present(self):
        """The participant types with at least one confirmed booking, in the usual order."""
        return [kind for kind in PARTICIPANT_TYPES if self.by_type[kind].bookings]


def _grouped(where, group_by_event):
    """Rows of (event_id?, participant_type, state, bookings, seats, present bookings, seats)."""
    present = Registration.attended_at.is_not(None)
    columns = [
        Registration.participant_type,
        Registration.state,
        sa.func.count(Registration.id),
        sa.func.coalesce(sa.func.sum(Registration.seats), 0),
        sa.func.coalesce(sa.func.sum(sa.case((present, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((present, Registration.seats), else_=0)), 0),
    ]
    group = [Registration.participant_type, Registration.state]
    if group_by_event:
        columns.insert(0, Registration.event_id)
        group.insert(0, Registration.event_id)
    query = (
        sa.select(*columns)
        .where(Registration.state.in_((RegistrationState.CONFIRMED, RegistrationState.WAITING)), *where)
        .group_by(*group)
    )
    return db.session.execute(query)


def _fold(attendance, participant_type, state, bookings, seats, present_bookings, present_seats):
    if state is RegistrationState.WAITING:
        attendance.waiting_bookings += bookings
        attendance.waiting_seats += seats
        return
    tally = Tally(int(bookings), int(seats), int(present_bookings), int(present_seats))
    attendance.confirmed.add(tally)
    attendance.by_type[participant_type].add(tally)


def attendance_by_event(event_ids):
    """{event_id: Attendance} for every id given (zeros for events nobody booked); one query."""
    event_ids = list(event_ids)
    result = {event_id: Attendance() for event_id in event_ids}
    if not event_ids:
        return result
    for event_id, *row in _grouped([Registration.event_id.in_(event_ids)], group_by_event=True):
        _fold(result[event_id], *row)
    return result


def attendance_of_lab(lab_id):
    """The totals over every event of a lab, whatever its state; one query."""
    totals = Attendance()
    in_lab = Registration.event_id.in_(sa.select(Event.id).where(Event.lab_id == lab_id).scalar_subquery())
    for row in _grouped([in_lab], group_by_event=False):
        _fold(totals, *row)
    return totals


def attendance_of_event(event_id):
    return attendance_by_event([event_id])[event_id]


# ---- who is confirmed ------------------------------------------------------------------------

def normalise_code(text):
    """A registration code as typed at the door: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s-]", "", text or "").upper()


def confirmed_select(event_id, search=""):
    """The event's confirmed registrations, by name, with person and organisation in one query.

    `search` matches part of the name (account name or guest name) or of the group, ignoring
    case, or the beginning of the registration code.
    """
    name = sa.func.coalesce(User.display_name, Registration.guest_name, "")
    query = (
        sa.select(Registration)
        .outerjoin(User, Registration.user_id == User.id)
        .outerjoin(Organisation, Registration.organisation_id == Organisation.id)
        .where(Registration.event_id == event_id, Registration.state == RegistrationState.CONFIRMED)
        .options(contains_eager(Registration.user), contains_eager(Registration.organisation))
    )
    search = (search or "").strip()[:80]
    if search:
        pattern = like_pattern(search.lower())
        matches = [
            sa.func.lower(name).like(pattern, escape=LIKE_ESCAPE),
            sa.func.lower(Registration.group_name).like(pattern, escape=LIKE_ESCAPE),
        ]
        code = normalise_code(search)
        if re.fullmatch(r"[A-Z0-9]{2,8}", code):
            matches.append(Registration.code.like(code + "%"))
        query = query.where(sa.or_(*matches))
    return query.order_by(sa.func.lower(name), Registration.id)


# ---- the attendance sheet (CSV) --------------------------------------------------------------

def _rome_time(value):
    return to_rome(value).strftime("%Y-%m-%d %H:%M") if value else ""


def attendance_csv(event_id):
    """The event's confirmed registrations as CSV text (core/spreadsheet.py: quoted, formula-safe).

    One row per confirmed registration; times in Europe/Rome.
    """
    header = [
        _("Nome"), _("Email"), _("Gruppo"), _("Organizzazione"), _("Tipo di partecipante"), _("Posti"),
        _("Codice"), _("Iscritto il"), _("Confermato il"), _("Presente"), _("Presente dalle"),
    ]
    rows = (
        (
            registration.name,
            registration.email or "",
            registration.group_name,
            registration.organisation.name if registration.organisation else "",
            registration.participant_type.label,
            registration.seats,
            registration.code,
            _rome_time(registration.created_at),
            _rome_time(registration.confirmed_at),
            _("sì") if registration.attended_at else _("no"),
            _rome_time(registration.attended_at),
        )
        for registration in db.session.scalars(confirmed_select(event_id))
    )
    return csv_text(header, rows)
