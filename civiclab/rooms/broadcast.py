"""Pushing stored room events to connected screens (through Redis when several processes serve).

Listeners of the room signals: a message is broadcast only once the transaction that stored it
has committed (a rolled-back message is never seen), with the server's id and time. Socket.IO rooms
are named "room:<id>" (and "user:<id>" for one person's connections); clients never name them.
"""
import logging

from civiclab.core import signals
from civiclab.core.after_commit import CommitQueue
from civiclab.extensions import socketio

NAMESPACE = "/rooms"


def channel(room_id):
    return f"room:{room_id}"


def user_channel(user_id):
    return f"user:{user_id}"


def message_payload(message, author=None):
    """What clients get for a message (the same for the acknowledgement, the broadcast and the
    replay on join). A deleted message travels as a placeholder, its text withheld; `erased`
    says it went with its author's account (rooms/personal_data.py), not by moderation.
    `author` (its display_name and deleted_at) may be given when the caller knows it."""
    author = author if author is not None else message.author
    deleted = message.deleted_at is not None
    return {
        "id": message.id,
        "room": message.room_id,
        "author": {"id": message.author_id, "name": author.display_name},
        "html": "" if deleted else message.body_html,
        "created_at": message.created_at.isoformat(),
        "deleted": deleted,
        "erased": deleted and author.deleted_at is not None,
        "key": message.client_key,
    }


def _emit_all(emits):
    for event, payload, to in emits:
        socketio.emit(event, payload, to=to, namespace=NAMESPACE)


def _run_all(actions):
    for action in actions:
        try:
            action()
        except Exception:  # the commit has happened: a failed push must not turn it into an error
            logging.getLogger(__name__).exception("after-commit action failed")


_emits = CommitQueue("civiclab_room_broadcasts", _emit_all)
_actions = CommitQueue("civiclab_room_actions", _run_all)  # connected after _emits: they run after


def emit_after_commit(event, payload, to):
    """Emit when the current transaction commits; forget it if it rolls back. The payload is built
    now, while the objects are loaded."""
    _emits.add((event, payload, to))


def run_after_commit(action):
    """Call `action()` when the current transaction commits (after the emits); forget it if it
    rolls back. For what must not happen for a change that may still be undone (disconnects)."""
    _actions.add(action)


def on_message_posted(room, message, author=None, **_extra):
    emit_after_commit("message", message_payload(message, author), channel(room.id))


def on_message_deleted(room, message, **_extra):
    emit_after_commit("message_deleted", {"room": room.id, "id": message.id}, channel(room.id))


def on_room_locked(room, locked, reason="", **_extra):
    emit_after_commit("room_locked", {"room": room.id, "locked": locked, "reason": reason}, channel(room.id))


def on_user_muted(room, mute, **_extra):
    emit_after_commit("error", {"code": "muted", "room": room.id, "until": mute.until.isoformat(),
                            "message": mute.reason},
                      user_channel(mute.user_id))


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
    signals.connect_listeners(LISTENERS)
    _emits.connect()
    _actions.connect()
    _connected = True
