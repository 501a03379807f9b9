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
    _add_menu_entries()

    app.register_blueprint(bp)


def _add_menu_entries():
    """The main menu's "Eventi" and my own "I miei eventi" (core/header.py; base.html shows them)."""
    from flask_babel import lazy_gettext as _l

    from civiclab.core.header import MenuEntry, menu_entries

    menu_entries.add("events.events", MenuEntry("events.events", _l("Eventi"), 40, within=(
        "events.events", "events.event", "events.event_new", "events.event_edit", "events.event_cancel")))
    menu_entries.add("events.my_events", MenuEntry("events.my_events", _l("I miei eventi"), 10, personal=True))
