"""Events held by a lab, who may register for them, and the registrations themselves."""
import enum
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.accounts.models import ParticipantType
from civiclab.core.errors import DomainError
from civiclab.core.sanitize import render_markdown
from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

# Registration codes: read aloud at the door and typed on a phone, so no look-alikes (O/0, I/1).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_registration_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class EventState(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    FINISHED = "finished"

    @property
    def label(self):
        return {
            EventState.DRAFT: _l("Bozza"),
            EventState.PUBLISHED: _l("Pubblicato"),
            EventState.CANCELLED: _l("Annullato"),
            EventState.FINISHED: _l("Concluso"),
        }[self]

    @property
    def badge(self):
        """The Bootstrap Italia badge class the state is shown with."""
        return {
            EventState.DRAFT: "bg-secondary",
            EventState.PUBLISHED: "bg-success",
            EventState.CANCELLED: "bg-danger",
            EventState.FINISHED: "bg-secondary",
        }[self]


# The event's life: one table, one place. Finishing happens when it has ended (see finish_past).
# While its state has a way out (drafts, published events) an event is still changed or
# cancelled (Event.is_editable); a cancelled or finished event is closed for good.
EVENT_TRANSITIONS = {
    EventState.DRAFT: {EventState.PUBLISHED, EventState.CANCELLED},
    EventState.PUBLISHED: {EventState.CANCELLED, EventState.FINISHED},
    EventState.CANCELLED: set(),
    EventState.FINISHED: set(),
}


class RegistrationState(enum.Enum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return {
            RegistrationState.CONFIRMED: _l("Confermata"),
            RegistrationState.WAITING: _l("In lista d'attesa"),
            RegistrationState.CANCELLED: _l("Annullata"),
        }[self]

    @property
    def badge(self):
        return {
            RegistrationState.CONFIRMED: "bg-success",
            RegistrationState.WAITING: "bg-warning text-dark",
            RegistrationState.CANCELLED: "bg-secondary",
        }[self]


REGISTRATION_TRANSITIONS = {
    RegistrationState.WAITING: {RegistrationState.CONFIRMED, RegistrationState.CANCELLED},
    RegistrationState.CONFIRMED: {RegistrationState.CANCELLED},
    RegistrationState.CANCELLED: set(),
}

ACTIVE_STATES = (RegistrationState.CONFIRMED, RegistrationState.WAITING)
_ACTIVE_SQL = "state IN ('confirmed', 'waiting')"


def _enum(enum_class, name):
    return sa.Enum(enum_class, name=name, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        # Never overbooked: the database refuses more confirmed seats than the capacity.
        sa.CheckConstraint("confirmed_seats >= 0 AND confirmed_seats <= capacity", name="not_overbooked"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("max_seats_per_booking >= 1", name="booking_seats_positive"),
        sa.CheckConstraint("reminder_hours_before >= 0", name="reminder_not_negative"),
        sa.Index("ix_events_state_starts_at", "state", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("labs.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown as typed: show description_html
    is_online: Mapped[bool] = mapped_column(default=False)
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")  # confirmed people only
    starts_at: Mapped[object] = mapped_column(UTCDateTime)
    ends_at: Mapped[object] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    confirmed_seats: Mapped[int] = mapped_column(default=0)  # kept under the event's row lock
    registration_opens_at: Mapped[object | None] = mapped_column(UTCDateTime)  # None: on publishing
    registration_closes_at: Mapped[object | None] = mapped_column(UTCDateTime)  # None: at the start
    max_seats_per_booking: Mapped[int] = mapped_column(default=1)
    reminder_hours_before: Mapped[int] = mapped_column(default=24)
    # "Solo con SPID/CIE": only accounts with a verified identity book (never a guest without one).
    requires_identity: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    state: Mapped[EventState] = mapped_column(_enum(EventState, "event_state"), default=EventState.DRAFT)
    # The highest share of seats (50, 80, 100 %) facilitators have been told about.
    seats_alert_level: Mapped[int] = mapped_column(default=0)
    # iCalendar SEQUENCE: grows with every change a calendar should pick up.
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[object | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[object | None] = mapped_column(UTCDateTime)

    lab = relationship("Lab")
    created_by = relationship("User")
    audience_rows: Mapped[list["EventAudience"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )
    registrations: Mapped[list["Registration"]] = relationship(
        back_populates="event", order_by="Registration.id", viewonly=True
    )

    # ---- audience: which participant types may register (none listed: everybody) --------
    @property
    def audience(self):
        return {row.participant_type for row in self.audience_rows}

    @audience.setter
    def audience(self, types):
        wanted = set(types)
        self.audience_rows = [row for row in self.audience_rows if row.participant_type in wanted]
        kept = {row.participant_type for row in self.audience_rows}
        for participant_type in sorted(wanted - kept, key=lambda t: t.value):
            self.audience_rows.append(EventAudience(participant_type=participant_type))

    @property
    def description_html(self):
        """The description rendered and sanitised, as proposals are (core/sanitize.py)."""
        return render_markdown(self.description)

    def admits(self, participant_type):
        return not self.audience_rows or participant_type in self.audience

    # ---- state -----------------------------------------------------------------------------
    def move_to(self, state):
        if state not in EVENT_TRANSITIONS[self.state]:
            raise DomainError(_l("Questo evento non può passare da «%(a)s» a «%(b)s».",
                                 a=self.state.label, b=state.label))
        self.state = state

    @property
    def is_draft(self):
        return self.state is EventState.DRAFT

    @property
    def is_published(self):
        return self.state is EventState.PUBLISHED

    @property
    def is_cancelled(self):
        return self.state is EventState.CANCELLED

    @property
    def is_editable(self):
        """Still changed or cancelled by who runs it: its state has a way out (EVENT_TRANSITIONS)."""
        return bool(EVENT_TRANSITIONS[self.state])

    @property
    def is_over(self):
        """Finished, or ended and waiting to be marked so (finish_past_events)."""
        return self.state is EventState.FINISHED or self.has_ended()

    @property
    def seats_left(self):
        return max(self.capacity - self.confirmed_seats, 0)

    @property
    def is_full(self):
        return self.confirmed_seats >= self.capacity

    def has_ended(self, now=None):
        return self.ends_at <= (now or utcnow())

    def has_started(self, now=None):
        return self.starts_at <= (now or utcnow())

    def opens_at(self):
        return self.registration_opens_at or self.published_at

    def closes_at(self):
        return self.registration_closes_at or self.starts_at

    def registration_problem(self, now=None):
        """Why nobody can register right now, or None when registration is open."""
        now = now or utcnow()
        if self.state is EventState.CANCELLED:
            return _l("L'evento è stato annullato.")
        if self.state is EventState.FINISHED or self.has_ended(now):
            return _l("L'evento è già concluso.")
        if self.state is not EventState.PUBLISHED:
            return _l("L'evento non è ancora pubblicato.")
        if self.has_started(now):
            return _l("L'evento è già iniziato: le iscrizioni sono chiuse.")
        opens = self.opens_at()
        if opens is not None and now < opens:
            return _l("Le iscrizioni non sono ancora aperte.")
        if now >= self.closes_at():
            return _l("Le iscrizioni sono chiuse.")
        return None

    @property
    def city_id(self):
        return self.lab.city_id

    def __repr__(self):
        return f"<Event {self.id} {self.title!r}>"


class EventAudience(db.Model):
    """One participant type admitted to an event; an event without rows admits everybody."""

    __tablename__ = "event_audiences"
    __table_args__ = (sa.UniqueConstraint("event_id", "participant_type", name="uq_event_audiences_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_type: Mapped[ParticipantType] = mapped_column(
        sa.Enum(ParticipantType, name="participant_type", values_callable=lambda e: [m.value for m in e],
                create_type=False)
    )

    event: Mapped[Event] = relationship(back_populates="audience_rows")


class Registration(db.Model):
    """A booking of one or more seats, by a user or by a guest who confirmed by mail."""

    __tablename__ = "registrations"
    __table_args__ = (
        sa.CheckConstraint("seats >= 1", name="seats_positive"),
        sa.CheckConstraint("user_id IS NOT NULL OR guest_email IS NOT NULL", name="user_or_guest"),
        sa.UniqueConstraint("event_id", "code", name="uq_registrations_event_code"),
        # One active registration per person and event, held by the database.
        sa.Index("uq_registrations_active_user", "event_id", "user_id", unique=True,
                 sqlite_where=sa.text(f"user_id IS NOT NULL AND {_ACTIVE_SQL}"),
                 postgresql_where=sa.text(f"user_id IS NOT NULL AND {_ACTIVE_SQL}")),
        sa.Index("uq_registrations_active_guest", "event_id", "guest_email", unique=True,
                 sqlite_where=sa.text(f"guest_email IS NOT NULL AND {_ACTIVE_SQL}"),
                 postgresql_where=sa.text(f"guest_email IS NOT NULL AND {_ACTIVE_SQL}")),
        sa.Index("ix_registrations_event_state", "event_id", "state", "id"),
        # "Solo con SPID/CIE": one active booking per verified identity, whichever account holds it.
        sa.Index("uq_registrations_active_identity", "event_id", "identity_hash", unique=True,
                 sqlite_where=sa.text(f"identity_hash IS NOT NULL AND {_ACTIVE_SQL}"),
                 postgresql_where=sa.text(f"identity_hash IS NOT NULL AND {_ACTIVE_SQL}")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # the waiting list's order of arrival
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    guest_name: Mapped[str | None] = mapped_column(sa.String(80))
    guest_email: Mapped[str | None] = mapped_column(sa.String(254))  # lower-cased
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    group_name: Mapped[str] = mapped_column(sa.String(120), default="")  # e.g. "Classe 3B"
    # The participant type when booking: attendance is counted by it, whatever changes later.
    participant_type: Mapped[ParticipantType] = mapped_column(
        sa.Enum(ParticipantType, name="participant_type", values_callable=lambda e: [m.value for m in e],
                create_type=False)
    )
    seats: Mapped[int] = mapped_column(default=1)
    state: Mapped[RegistrationState] = mapped_column(_enum(RegistrationState, "registration_state"))
    # The booker's VerifiedIdentity.fiscal_hash, kept when the event requires an identity to book.
    identity_hash: Mapped[str | None] = mapped_column(sa.String(64))
    code: Mapped[str] = mapped_column(sa.String(CODE_LENGTH), default=new_registration_code)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[object | None] = mapped_column(UTCDateTime)  # confirmed from the waiting list
    cancelled_at: Mapped[object | None] = mapped_column(UTCDateTime)
    attended_at: Mapped[object | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[object | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="registrations")
    user = relationship("User")
    organisation = relationship("Organisation")

    def move_to(self, state, now=None):
        if state not in REGISTRATION_TRANSITIONS[self.state]:
            raise DomainError(_l("Questa iscrizione non può passare da «%(a)s» a «%(b)s».",
                                 a=self.state.label, b=state.label))
        now = now or utcnow()
        if state is RegistrationState.CONFIRMED:
            if self.state is RegistrationState.WAITING:
                self.promoted_at = now
            self.confirmed_at = now
        elif state is RegistrationState.CANCELLED:
            self.cancelled_at = now
        self.state = state

    # Its place in the waiting list when it was booked (services._admit counts it once, for the
    # answer, the notification and the mail); None otherwise. Not stored: it changes as others leave.
    position_when_booked = None

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    @property
    def is_confirmed(self):
        return self.state is RegistrationState.CONFIRMED

    @property
    def is_waiting(self):
        return self.state is RegistrationState.WAITING

    @property
    def can_be_cancelled(self):
        """Active, and its event has not started (who may: permissions.can_cancel_registration)."""
        return self.is_active and not self.event.has_started()

    @property
    def is_guest(self):
        return self.user_id is None

    @property
    def name(self):
        if self.user is not None:
            return self.user.display_name
        return self.guest_name or ""

    @property
    def email(self):
        return self.user.email if self.user is not None else self.guest_email

    def __repr__(self):
        return f"<Registration {self.id} {self.state.value} x{self.seats}>"
