"""Whether a user is blocked from contributing, and refusing them with a clear message."""
import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from civiclab.core.errors import NotAllowed
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.moderation.models import UserBlock


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
