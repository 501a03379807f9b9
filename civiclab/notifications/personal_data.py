"""A user's notifications and mail preferences: their sections of the data export, and their end
when the account is deleted."""
import sqlalchemy as sa

from civiclab.accounts.services import export_section
from civiclab.core import signals
from civiclab.core.time import isoformat
from civiclab.extensions import db
from civiclab.notifications import services
from civiclab.notifications.models import Notification, NotificationPreference


def export_preferences(user):
    """How `user` gets each kind of news by mail: their choice, else the default (one query)."""
    return {kind: delivery.value for kind, delivery in services.preferences_of(user).items()}


def export_notifications(user):
    """Every notification `user` received (one query)."""
    notifications = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at, Notification.id)
    )
    return [
        {"kind": n.kind, "message": n.message, "detail": n.detail, "url": n.url,
         "created_at": isoformat(n.created_at), "read_at": isoformat(n.read_at),
         "mailed_at": isoformat(n.mailed_at)}
        for n in notifications
    ]


def on_user_deleted(user, **_extra):
    """Nothing is left to tell a deleted account: its notifications (read or waiting for a
    digest) and its mail preferences go."""
    for model in (Notification, NotificationPreference):
        db.session.execute(sa.delete(model).where(model.user_id == user.id)
                           .execution_options(synchronize_session=False))
    db.session.flush()


def connect():
    """Add the export sections and the deletion rule (from the domain's connect())."""
    export_section("notification_preferences")(export_preferences)
    export_section("notifications")(export_notifications)
    signals.connect_listeners([(signals.user_deleted, on_user_deleted)])
