"""Lab events and registration: capacity, waiting list, group seats, check-in, calendars."""
from flask import Blueprint

bp = Blueprint("events", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.events import door_routes, notify, registration_routes, routes  # noqa: F401  (fill bp)

    notify.connect_listeners()  # mails and notifications of events
    _add_menu_entries()

    app.register_blueprint(bp)


def _add_menu_entries():
    """The main menu's "Eventi" and my own "I miei eventi" (core/header.py; base.html shows them)."""
    from flask_babel import lazy_gettext as _l

    from civiclab.core.header import MenuEntry, menu_entries

    menu_entries.add("events.events", MenuEntry("events.events", _l("Eventi"), 40, within=(
        "events.events", "events.event", "events.event_new", "events.event_edit", "events.event_cancel")))
    menu_entries.add("events.my_events", MenuEntry("events.my_events", _l("I miei eventi"), 10, personal=True))
