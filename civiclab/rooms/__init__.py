"""Realtime discussion rooms: one beside every event, project and lab, plus labs' working rooms."""
from flask import Blueprint

bp = Blueprint("rooms", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.rooms import broadcast, creation, routes, sockets  # noqa: F401  (routes fill bp)

    creation.connect_room_creation()  # every event, project and lab gets its room in the same flush
    broadcast.connect_broadcasts()  # stored room messages and moderation reach connected screens
    sockets.register_socket_handlers(app)  # the /rooms namespace, its presence and rate limit
    _add_menu_entries()

    app.register_blueprint(bp)


def _add_menu_entries():
    """My own "Stanze", with my unread messages (the "rooms" header counter) in a badge and in its
    name (core/header.py; base.html shows it)."""
    from flask_babel import lazy_gettext as _l
    from flask_babel import ngettext

    from civiclab.core.header import MenuEntry, menu_entries

    menu_entries.add("rooms.index", MenuEntry("rooms.index", _l("Stanze"), 30, personal=True, counter="rooms", extra={
        "badge_class": "cl-rooms-badge",
        "aria_with_count": lambda num: ngettext("Stanze, %(num)d messaggio non letto",
                                                "Stanze, %(num)d messaggi non letti", num),
    }))
