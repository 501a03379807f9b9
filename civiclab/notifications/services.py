"""In-app notifications: add one, count the unread, mark them read."""
import sqlalchemy as sa

from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.notifications.models import Notification

MESSAGE_MAX = 2000
DETAIL_MAX = 500


def safe_path(url):
    """`url` when it is a path on this site ("/eventi/3"), else "" (no other site, no scheme)."""
    url = (url or "").strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return ""
    if any(ord(ch) < 32 or ch == "\x7f" for ch in url):
        return ""
    return url[:300]


def notify(user, kind, message, detail="", url=""):
    """Add a notification for `user` (a User or a user id) and flush; returns it.

    `message` and `detail` are plain text (escaped when shown; lazy strings are rendered now, in
    the current locale, so listeners should render them in the recipient's locale). `url` must be a
    path on this site: anything else is dropped.
    """
    user_id = user if isinstance(user, int) else user.id
    notification = Notification(
        user_id=user_id,
        kind=str(kind)[:40],
        message=str(message)[:MESSAGE_MAX],
        detail=str(detail or "")[:DETAIL_MAX],
        url=safe_path(url),
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def unread_count(user):
    """How many of the user's notifications are unread (one indexed COUNT)."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0


def notifications_query(user):
    """The user's notifications, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user, ids=None):
    """Mark the user's notifications read: those in `ids`, or all of them when `ids` is None.

    Only the user's own notifications are touched; returns how many changed.
    """
    statement = (
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        statement = statement.where(Notification.id.in_(ids))
    result = db.session.execute(statement)
    db.session.flush()
    return result.rowcount or 0
