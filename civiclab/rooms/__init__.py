"""Realtime discussion rooms: one beside every event, project and lab, plus labs' working rooms."""
from flask import Blueprint

bp = Blueprint("rooms", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.rooms import broadcast, creation, reportable, routes, sockets  # noqa: F401  (routes fill bp)

    creation.connect_room_creation()  # every event, project and lab gets its room in the same flush
    broadcast.connect_broadcasts()  # stored room messages and moderation reach connected screens
    sockets.register_socket_handlers(app)  # the /rooms namespace, its presence and rate limit
    reportable.connect()  # room messages can be reported (moderation/reportable.py)

    app.register_blueprint(bp)
