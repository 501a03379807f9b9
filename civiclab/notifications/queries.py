"""Reading notifications: the signed-in person's own, their list, the header's unread count."""
import functools

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from civiclab.core.header import HEADER_USER_ID
from civiclab.extensions import db
from civiclab.notifications.models import Notification


def load_notification(notification_id):
    """The signed-in person's notification, or 404 (somebody else's does not exist for them)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


@functools.cache
def _unread_count():
    """Built once: the user is the header's bound parameter, given when it runs."""
    return (sa.select(sa.func.count(Notification.id))
            .where(Notification.user_id == sa.bindparam(HEADER_USER_ID, type_=sa.Integer),
                   Notification.read_at.is_(None)).scalar_subquery())


def unread_count_column(user):
    """The count of the user's unread notifications as a SQL expression (an indexed COUNT): the
    header's bell, selected with the other counters (core/header.py)."""
    return _unread_count()


def unread_count(user):
    """How many of the user's notifications are unread (one indexed COUNT)."""
    return db.session.scalar(sa.select(_unread_count()), {HEADER_USER_ID: user.id}) or 0


def notifications_query(user):
    """The user's notifications, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
