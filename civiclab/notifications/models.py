"""A notification: one short message for one user, read or unread, linking to what it is about."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # e.g. "registration_confirmed"
    message: Mapped[str] = mapped_column(sa.Text)  # plain text, escaped when shown
    detail: Mapped[str] = mapped_column(sa.Text, default="")  # e.g. a registration code
    url: Mapped[str] = mapped_column(sa.String(300), default="")  # a path on this site
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[object | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    @property
    def is_read(self):
        return self.read_at is not None
