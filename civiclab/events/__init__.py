"""Lab events and registration: capacity, waiting list, group seats, check-in, calendars."""
from flask import Blueprint

bp = Blueprint("events", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.events import door_routes, notify, registration_routes, routes  # noqa: F401  (fill bp)

    notify.connect_listeners()  # mails and notifications of events

    app.register_blueprint(bp)
