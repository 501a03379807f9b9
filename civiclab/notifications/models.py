"""A notification: one short message for one user, read or unread, linking to what it is about;
and each user's choice of how news reaches them by mail."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_user_created", "user_id", "created_at", "id"),  # the list, newest first
        # Nobody gets the same news twice: one notification per user and piece of news.
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe_key"),
        sa.Index("ix_notifications_digest", "delivery", "mailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # e.g. "registration_confirmed"
    message: Mapped[str] = mapped_column(sa.Text)  # plain text in Italian, escaped when shown
    detail: Mapped[str] = mapped_column(sa.Text, default="")  # e.g. a registration code
    # The same news in English (None when it reads the same), so a notification is shown in the
    # language of whoever reads it, not the one its recipient had when it was written.
    message_en: Mapped[str | None] = mapped_column(sa.Text)
    detail_en: Mapped[str | None] = mapped_column(sa.Text)
    url: Mapped[str] = mapped_column(sa.String(300), default="")  # a path on this site
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # News with a mail preference: "instant", "daily", "weekly" or "none" (None: mailed elsewhere,
    # e.g. event registrations); mailed_at is set when its mail or digest was sent (or claimed).
    delivery: Mapped[str | None] = mapped_column(sa.String(10))
    mailed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120))  # e.g. "proposal-published:17"

    user = relationship("User")

    @property
    def is_read(self):
        return self.read_at is not None

    def message_in(self, locale):
        """The message in `locale` ("it" or "en"), falling back to the Italian text."""
        return (self.message_en if str(locale).startswith("en") else None) or self.message

    def detail_in(self, locale):
        return (self.detail_en if str(locale).startswith("en") else None) or self.detail


class Delivery(enum.Enum):
    """How a user wants one kind of news by mail (in-app notifications always arrive)."""

    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"
    NONE = "none"

    @property
    def label(self):
        return {
            Delivery.INSTANT: _l("Subito, una mail per notizia"),
            Delivery.DAILY: _l("Riepilogo giornaliero"),
            Delivery.WEEKLY: _l("Riepilogo settimanale"),
            Delivery.NONE: _l("Nessuna mail"),
        }[self]


# The kinds of news a user chooses a delivery for, with the default when they have not chosen.
PREFERENCE_KINDS = {
    "proposal_state": Delivery.INSTANT,  # my proposal changed state
    "comment_reply": Delivery.INSTANT,  # someone replied to my comment
    "followed_news": Delivery.DAILY,  # new accepted proposals in what I follow
    "proposal_comment": Delivery.INSTANT,  # someone commented on my proposal
    "proposal_to_review": Delivery.INSTANT,  # (moderators) a proposal was sent, or sent again, for review
    "outcome_news": Delivery.DAILY,  # an outcome I follow, or that adopts my proposal, moved on
}


def preference_label(kind):
    return {
        "proposal_state": _l("Le mie proposte cambiano stato"),
        "comment_reply": _l("Risposte ai miei commenti"),
        "followed_news": _l("Nuove proposte pubblicate in ciò che seguo"),
        "proposal_comment": _l("Commenti alle mie proposte"),
        "proposal_to_review": _l("Proposte da valutare nelle call che modero"),
        "outcome_news": _l("Avanzamento dei risultati che seguo o che adottano le mie proposte"),
    }[kind]


class NotificationPreference(db.Model):
    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    delivery: Mapped[Delivery] = mapped_column(
        sa.Enum(Delivery, name="delivery", values_callable=lambda e: [m.value for m in e],
                validate_strings=True, native_enum=False, length=10))
