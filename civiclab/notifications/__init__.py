"""In-app notifications: the bell in the header and the notifications page; what people hear of
events (notifications/events.py) and the reminders before them."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.core import signals
    from civiclab.core.header import Counter, counters
    from civiclab.notifications import events, personal_data, queries, routes  # noqa: F401  (routes fill bp)

    signals.connect_listeners(events.LISTENERS)  # mails and notifications of events
    personal_data.connect()  # the export sections, and what deleting an account does to them
    counters.add("notifications", Counter(queries.unread_count_column))  # the bell in the header

    app.register_blueprint(bp)
