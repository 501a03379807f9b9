"""Realtime discussion rooms: one beside every event, project and lab, plus labs' working rooms."""
from flask import Blueprint

bp = Blueprint("rooms", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.core.header import Counter, counters
    from civiclab.core.sections import page_sections
    from civiclab.rooms import (  # noqa: F401  (routes fill bp)
        broadcast,
        creation,
        facts,
        personal_data,
        queries,
        reportable,
        routes,
        sockets,
    )

    creation.connect_room_creation()  # every event, project and lab gets its room in the same flush
    facts.connect_invalidation()  # a committed change to what a message is checked against
    broadcast.connect_broadcasts()  # stored room messages and moderation reach connected screens
    sockets.register_socket_handlers(app)  # the /rooms namespace, its presence and rate limit
    personal_data.connect()  # "download my data" and deleting an account
    reportable.connect()  # room messages can be reported (moderation/reportable.py)
    counters.add("rooms", Counter(queries.unread_columns, queries.readable_unread))  # the header's unread messages
    for page in ("event", "project"):  # the link to the room beside an event or a project
        page_sections.add((page, "room"), room_beside)
    _add_menu_entries()

    app.register_blueprint(bp)


def room_beside(subject):
    """A page's section ("event" or "project", "room"): (the room beside `subject`, its messages)
    when the viewer may read it, else (None, 0)."""
    from flask_login import current_user

    from civiclab.rooms.queries import visible_room_with_count

    return visible_room_with_count(current_user, subject)


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
