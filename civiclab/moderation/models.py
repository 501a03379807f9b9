"""Reports of content and the log of every moderation action (blocks are accounts' own:
civiclab/accounts/blocks.py)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

REPORTS_TO_HIDE = 3  # different reporters before content is hidden pending review


class Report(db.Model):
    """Someone reports a comment, a proposal or a room message, with a reason; a moderator
    resolves it."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END + CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN room_message_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_subject"),
        # One report per person and content (NULLs are distinct, so each pair stands alone).
        sa.UniqueConstraint("comment_id", "reporter_id", name="uq_reports_comment_reporter"),
        sa.UniqueConstraint("proposal_id", "reporter_id", name="uq_reports_proposal_reporter"),
        sa.UniqueConstraint("room_message_id", "reporter_id", name="uq_reports_room_message_reporter"),
        sa.Index("ix_reports_open", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    room_message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("room_messages.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[object | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    upheld: Mapped[bool | None] = mapped_column()  # True: content stays hidden; False: restored

    reporter = relationship("User", foreign_keys=[reporter_id])
    comment = relationship("Comment")
    proposal = relationship("Proposal")
    room_message = relationship("Message")


# The log's words for each action.
ACTION_LABELS = {
    "hide_comment": _l("Commento nascosto"),
    "restore_comment": _l("Commento ripristinato"),
    "reports_upheld": _l("Segnalazioni confermate"),
    "reports_rejected": _l("Segnalazioni respinte"),
    "block_user": _l("Utente bloccato"),
    "lift_block": _l("Blocco revocato"),
    "auto_hide": _l("Nascosto in attesa di verifica (tre segnalazioni)"),
    "delete_message": _l("Messaggio eliminato"),
    "mute_user": _l("Utente silenziato nella stanza"),
    "lock_room": _l("Stanza chiusa in sola lettura"),
    "unlock_room": _l("Stanza riaperta"),
}


class ModerationAction(db.Model):
    """The log: who did what to which content or person, when and why."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # e.g. "hide_comment", "restore_comment", "reports_upheld", "reports_rejected", "block_user",
    # "lift_block", "auto_hide" (three reports; no actor)
    action: Mapped[str] = mapped_column(sa.String(40))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Rooms: "delete_message", "mute_user", "lock_room", "unlock_room" name the room (and message).
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="SET NULL"), index=True)
    room_message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("room_messages.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    # The city whose moderators read the entry: the content's or room's city, a block's city.
    # Stored, not derived, so it holds when the content or its author is deleted (None: only
    # administrators read it, blocks aside).
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id", ondelete="SET NULL"), index=True)

    actor = relationship("User", foreign_keys=[actor_id])
    target_user = relationship("User", foreign_keys=[user_id])
    comment = relationship("Comment", viewonly=True)
    proposal = relationship("Proposal", viewonly=True)

    @property
    def label(self):
        return ACTION_LABELS.get(self.action, self.action)
