"""Lab events and registration: capacity, waiting list, group seats, check-in, calendars."""
from flask import Blueprint

bp = Blueprint("events", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.core import signals
    from civiclab.events import (  # noqa: F401  (the route modules fill bp)
        calendar_routes,
        door_routes,
        guests,
        personal_data,
        registration_routes,
        routes,
    )

    signals.connect_listeners([(signals.user_confirmed, guests.on_user_confirmed)])
    personal_data.connect()  # the export section, and what deleting an account does to bookings

    app.register_blueprint(bp)
