"""Pushing stored room events to connected screens (through Redis when several processes serve).

Listeners of the room signals: a message is broadcast only after the service stored it, with the
server's id and time. Socket.IO rooms are named "room:<id>" (and "user:<id>" for one person's
connections); clients never name them.
"""
from civiclab.core import signals
from civiclab.extensions import socketio

NAMESPACE = "/rooms"


def channel(room_id):
    return f"room:{room_id}"


def user_channel(user_id):
    return f"user:{user_id}"


def message_payload(message):
    """What clients get for a message (the same for the acknowledgement, the broadcast and the
    replay on join). A deleted message travels as a placeholder, its text withheld."""
    deleted = message.deleted_at is not None
    return {
        "id": message.id,
        "room": message.room_id,
        "author": {"id": message.author_id, "name": message.author.display_name},
        "html": "" if deleted else message.body_html,
        "created_at": message.created_at.isoformat(),
        "deleted": deleted,
        "key": message.client_key,
    }


def on_message_posted(room, message, **_extra):
    socketio.emit("message", message_payload(message), to=channel(room.id), namespace=NAMESPACE)


def on_message_deleted(room, message, **_extra):
    socketio.emit("message_deleted", {"room": room.id, "id": message.id}, to=channel(room.id), namespace=NAMESPACE)


def on_room_locked(room, locked, reason="", **_extra):
    socketio.emit("room_locked", {"room": room.id, "locked": locked, "reason": reason},
                  to=channel(room.id), namespace=NAMESPACE)


def on_user_muted(room, mute, **_extra):
    socketio.emit("error", {"code": "muted", "room": room.id, "until": mute.until.isoformat(),
                            "message": mute.reason},
                  to=user_channel(mute.user_id), namespace=NAMESPACE)


LISTENERS = (
    (signals.room_message_posted, on_message_posted),
    (signals.room_message_deleted, on_message_deleted),
    (signals.room_locked, on_room_locked),
    (signals.room_user_muted, on_user_muted),
)
_connected = False


def connect_broadcasts():
    global _connected
    if _connected:
        return
    for signal, listener in LISTENERS:
        signal.connect(listener)
    _connected = True
