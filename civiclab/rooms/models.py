"""Rooms, their messages (stored before they are broadcast), mutes, members and read markers."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

MESSAGE_MAX = 2000
CLIENT_KEY_MAX = 64


class RoomKind(enum.Enum):
    EVENT = "event"  # beside an event: anyone reads, its confirmed participants and staff write
    PROJECT = "project"  # beside a project: anyone reads, confirmed accounts write
    LAB = "lab"  # the lab's public room: anyone reads, confirmed accounts write
    LAB_WORKING = "lab_working"  # a working room a facilitator opens in a lab: members only

    @property
    def label(self):
        return {
            RoomKind.EVENT: _l("Stanza dell'evento"),
            RoomKind.PROJECT: _l("Stanza del progetto"),
            RoomKind.LAB: _l("Stanza del laboratorio"),
            RoomKind.LAB_WORKING: _l("Stanza di lavoro"),
        }[self]


class Room(db.Model):
    __tablename__ = "rooms"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'event' AND event_id IS NOT NULL AND project_id IS NULL AND lab_id IS NULL)"
            " OR (kind = 'project' AND project_id IS NOT NULL AND event_id IS NULL AND lab_id IS NULL)"
            " OR (kind IN ('lab', 'lab_working') AND lab_id IS NOT NULL AND event_id IS NULL"
            " AND project_id IS NULL)",
            name="subject_matches_kind",
        ),
        # One room beside each event, project and lab (working rooms are as many as needed).
        sa.Index("uq_rooms_event", "event_id", unique=True, sqlite_where=sa.text("event_id IS NOT NULL"),
                 postgresql_where=sa.text("event_id IS NOT NULL")),
        sa.Index("uq_rooms_project", "project_id", unique=True, sqlite_where=sa.text("project_id IS NOT NULL"),
                 postgresql_where=sa.text("project_id IS NOT NULL")),
        sa.Index("uq_rooms_lab_main", "lab_id", unique=True, sqlite_where=sa.text("kind = 'lab'"),
                 postgresql_where=sa.text("kind = 'lab'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RoomKind] = mapped_column(
        sa.Enum(RoomKind, name="room_kind", values_callable=lambda e: [m.value for m in e],
                validate_strings=True, native_enum=False, length=12))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    lab_id: Mapped[int | None] = mapped_column(sa.ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160), default="")  # working rooms' own name
    locked_at: Mapped[object | None] = mapped_column(UTCDateTime)  # read-only while set
    locked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    lock_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    # An event's room its facilitators closed to visitors: only the event's participants (and who
    # organises it) read it. Other kinds ignore it (a working room is always members-only).
    participants_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    event = relationship("Event")
    project = relationship("Project")
    lab = relationship("Lab")

    @property
    def readers(self):
        """Who can read the room, said on its page."""
        if self.kind is RoomKind.LAB_WORKING:
            return _l("Solo i membri di questa stanza di lavoro, i facilitatori del laboratorio e il "
                      "personale del Comune possono leggerla.")
        if self.kind is RoomKind.EVENT and self.participants_only:
            return _l("Solo chi è iscritto all'evento (anche in lista d'attesa) e chi lo organizza può "
                      "leggere questa stanza.")
        if self.kind is RoomKind.EVENT:
            return _l("Chiunque può leggere questa stanza, anche senza account. Scrivono gli iscritti "
                      "confermati e chi organizza l'evento.")
        return _l("Chiunque può leggere questa stanza, anche senza account. Scrive chi ha un account "
                  "confermato.")

    @property
    def is_locked(self):
        return self.locked_at is not None

    @property
    def subject(self):
        return self.event or self.project or self.lab

    @property
    def name(self):
        """What the room is called on pages: its own title, else what it is beside."""
        if self.title:
            return self.title
        subject = self.subject
        return getattr(subject, "title", None) or getattr(subject, "name", "")

    @property
    def city_id(self):
        if self.event is not None:
            return self.event.lab.city_id
        return (self.project or self.lab).city_id

    def __repr__(self):
        return f"<Room {self.id} {self.kind.value}>"


class RoomMember(db.Model):
    """Who belongs to a working room (its lab's facilitators and city staff always do)."""

    __tablename__ = "room_members"
    __table_args__ = (sa.UniqueConstraint("room_id", "user_id", name="uq_room_members_room_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class Message(db.Model):
    __tablename__ = "room_messages"
    __table_args__ = (
        sa.Index("ix_room_messages_room_id_id", "room_id", "id"),
        # A resend after a lost acknowledgement carries the same key: stored once.
        sa.UniqueConstraint("author_id", "client_key", name="uq_room_messages_author_client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # the order of the room: keyset pages by id
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)  # as typed (plain text, Markdown allowed)
    body_html: Mapped[str] = mapped_column(sa.Text)  # rendered and sanitised
    client_key: Mapped[str | None] = mapped_column(sa.String(CLIENT_KEY_MAX))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[object | None] = mapped_column(UTCDateTime)  # a placeholder stays in history
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    delete_reason: Mapped[str] = mapped_column(sa.Text, default="")

    room: Mapped[Room] = relationship()
    author = relationship("User", foreign_keys=[author_id])

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class RoomMute(db.Model):
    """A user may not write in a room until `until` (unless lifted earlier)."""

    __tablename__ = "room_mutes"
    __table_args__ = (sa.Index("ix_room_mutes_room_user", "room_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    muted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    until: Mapped[object] = mapped_column(UTCDateTime)
    lifted_at: Mapped[object | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])


class RoomRead(db.Model):
    """The last message a user has seen in a room: unread counts in the navigation."""

    __tablename__ = "room_reads"
    __table_args__ = (sa.UniqueConstraint("room_id", "user_id", name="uq_room_reads_room_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_read_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
