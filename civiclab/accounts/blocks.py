"""Blocks on accounts: a moderator's block keeps a person from commenting, proposing and writing
in rooms until it ends or is lifted. The model and the check every contributing domain makes;
placing and lifting blocks is moderation's (moderation/services.py)."""
import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.errors import NotAllowed
from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db


class UserBlock(db.Model):
    """A user may not comment or propose until `ends_at` (None: until lifted)."""

    __tablename__ = "user_blocks"
    __table_args__ = (sa.Index("ix_user_blocks_user_lifted", "user_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    blocked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[object | None] = mapped_column(UTCDateTime)
    lifted_at: Mapped[object | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The city in whose name the block was placed (None: by an administrator); its staff may lift it.
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    blocked_by = relationship("User", foreign_keys=[blocked_by_id])
    city = relationship("City")

    def is_active_at(self, moment):
        return self.lifted_at is None and (self.ends_at is None or self.ends_at > moment)


def active_block(user):
    """The block in force on `user` now (the one ending last), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    now = utcnow()
    blocks = db.session.scalars(
        sa.select(UserBlock).where(
            UserBlock.user_id == user.id,
            UserBlock.lifted_at.is_(None),
            sa.or_(UserBlock.ends_at.is_(None), UserBlock.ends_at > now),
        )
    ).all()
    if not blocks:
        return None
    forever = [block for block in blocks if block.ends_at is None]
    return forever[0] if forever else max(blocks, key=lambda block: block.ends_at)


def ensure_not_blocked(user):
    """Raise NotAllowed, saying until when, if `user` may not comment or propose now."""
    block = active_block(user)
    if block is None:
        return
    if block.ends_at is None:
        raise NotAllowed(_l("Il tuo account è bloccato: non puoi commentare né proporre. Motivo: %(reason)s",
                            reason=block.reason))
    raise NotAllowed(_l("Il tuo account è bloccato fino al %(until)s: non puoi commentare né proporre. "
                        "Motivo: %(reason)s",
                        until=format_datetime(block.ends_at, "short"), reason=block.reason))
