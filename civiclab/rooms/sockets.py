"""The /rooms Socket.IO namespace: connect, join, leave, message, typing and read (README: "Stanze in
tempo reale: protocollo").

Every event checks the user (signed in with the session the socket was opened with, not blocked,
deleted or signed out since) and the room's permissions again: the client names rooms by id only
and is never trusted with roles. A message and a typing notice check them against the facts kept
for the connection (rooms.facts), looked up again as soon as anything they depend on has changed
on any process; the other events load them again. A socket event is not a request: each handler
commits its own work, rolls back on error and removes the session at the end. A refusal is the
acknowledgement {"ok": false, "error": {code, message}} and an `error` event to the sender.
"""
import functools

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from civiclab.accounts.blocks import active_block
from civiclab.accounts.sessions import TOUCH_INTERVAL, lifetime
from civiclab.core import signals
from civiclab.core.time import utcnow
from civiclab.extensions import db, socketio
from civiclab.rooms import facts, limits, payloads, permissions, queries, services
from civiclab.rooms.arrivals import arrivals, init_arrivals
from civiclab.rooms.broadcast import (
    NAMESPACE,
    channel,
    message_payload,
    run_after_commit,
    user_channel,
)
from civiclab.rooms.models import Message
from civiclab.rooms.presence import init_presence, presence_store, with_user

SESSION_ENDED = "La sessione è terminata: accedi di nuovo."


class Refusal(Exception):
    """An event refused with a protocol code; `disconnect` ends the connection too."""

    def __init__(self, code, message, disconnect=False, **extra):
        super().__init__(message)
        self.code, self.message, self.disconnect, self.extra = code, str(message), disconnect, extra


# ---- helpers ------------------------------------------------------------------------------

_is_id = payloads.is_id


# This process's connections: sid -> {"user_id", "session_id", "kept": {room id: facts.Kept}}.
# The user's id, never the ORM object: what is kept is plain data, checked against facts' version.
_connections = {}
KEPT_ROOMS_MAX = 20  # rooms whose facts one connection keeps (more: the oldest are looked up again)


def _socket_session():
    return _connections.get(request.sid, {})


def _logged_in_user():
    # Flask-Login caches the user in `g`; an event must load it again from the session cookie.
    g.pop("_login_user", None)
    return current_user._get_current_object()


def _blocked(block):
    if block.ends_at is None:
        message = _("Il tuo account è bloccato. Motivo: %(reason)s", reason=block.reason)
    else:
        message = _("Il tuo account è bloccato fino al %(until)s. Motivo: %(reason)s",
                    until=format_datetime(block.ends_at, "short"), reason=block.reason)
    return {"code": "blocked", "message": message, "reason": block.reason,
            "until": block.ends_at.isoformat() if block.ends_at else None}


def _acting_user():
    """The connected user, loaded again now; refused (and disconnected) if gone, signed out
    (the sign-in session the socket was opened with has ended) or blocked."""
    user = _logged_in_user()
    if (not user.is_authenticated or user.id != _socket_session().get("user_id")
            or user.current_session.id != _socket_session().get("session_id")):
        raise Refusal("unauthenticated", _("La sessione è scaduta: accedi di nuovo."), disconnect=True)
    block = active_block(user)
    if block is not None:
        details = _blocked(block)
        raise Refusal(details.pop("code"), details.pop("message"), disconnect=True, **details)
    presence_store().touch(request.sid)
    return user


def _readable_room(user, room_id):
    """The room, as the pages load it (rooms.queries.readable_room); refused if not readable."""
    room = queries.readable_room(user, room_id)
    if room is None:
        raise Refusal("forbidden", _("Non puoi partecipare a questa stanza."))
    return room


def _refusal_of(user, room):
    refusal = permissions.write_refusal(user, room, **queries.write_facts(user, room))
    return None if refusal is None else {"code": refusal[0], "message": str(refusal[1])}


def _keep_facts(user, room, version):
    """Look up whether `user` may write in `room` now (write_refusal, as the form's service does)
    and keep the answer for this connection, with the facts' `version` read before the look-up
    (a change committed meanwhile has bumped past it) and the moment it goes stale by itself: a
    mute ends; the session's last use is due to be recorded (the user loader does it)."""
    mute = queries.active_mute(user, room)
    refusal = permissions.write_refusal(user, room, registration_state=queries.registration_state(user, room),
                                        muted=mute is not None, blocked=False)
    signed_in = user.current_session
    valid_until = signed_in.last_seen_at + min(TOUCH_INTERVAL, lifetime(signed_in))
    if mute is not None:
        valid_until = min(valid_until, mute.until)
    kept = facts.Kept(facts.Writer(user.id, user.display_name, user.deleted_at), refusal, version, valid_until)
    rooms = _socket_session().setdefault("kept", {})
    if len(rooms) >= KEPT_ROOMS_MAX:
        rooms.pop(next(iter(rooms)))
    rooms[room.id] = kept
    return kept


def _write_facts(room_id):
    """What a message or typing notice in `room_id` is checked against: the facts kept for this
    connection while fresh, else looked up again (the user and the room loaded, as every other
    event does; refused and disconnected if signed out or blocked)."""
    version = facts.current_version()
    kept = _socket_session().get("kept", {}).get(room_id)
    if kept is not None and kept.fresh(version, utcnow()):
        presence_store().touch(request.sid)
        return kept
    user = _acting_user()
    return _keep_facts(user, _readable_room(user, room_id), version)


def _emit(event, payload, to, **kwargs):
    socketio.emit(event, payload, to=to, namespace=NAMESPACE, **kwargs)


def _is_present(user_id, room_id):
    return any(user["id"] == user_id for user in presence_store().users(room_id))


def _announce_departure(room_id, user_id):
    """Someone left: told to the others unless the same person is still there in another tab."""
    if user_id is not None and not _is_present(user_id, room_id):
        arrivals().departed(room_id, user_id, lambda: _emit("presence", {"room": room_id, "left": {"id": user_id}},
                                                            to=channel(room_id)))


def _event(name):
    """Run a handler as a boundary: the payload is checked first (rooms.payloads) and the handler
    gets only its checked fields; commit is the handler's, rollback and session removal are here;
    refusals and unexpected errors become an `error` event and a refusing acknowledgement."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(*args):
            data = args[0] if args else None
            g.pop("_login_user", None)  # a refusal's message is translated for who is signed in now
            try:
                return handler(payloads.clean(name, data))
            except payloads.PayloadError as error:
                return _refuse(name, data, Refusal("invalid", error.message, field=error.field))
            except Refusal as refusal:
                db.session.rollback()
                return _refuse(name, data, refusal)
            except services.RoomError as error:
                db.session.rollback()
                return _refuse(name, data, Refusal(error.code, str(error)))
            except Exception:
                db.session.rollback()
                current_app.logger.exception("socket event %s failed", name)
                return _refuse(name, data, Refusal("internal", _("Qualcosa non ha funzionato: riprova.")))
            finally:
                db.session.remove()
                g.pop("_login_user", None)  # detached now: never reused by what runs next

        return wrapper

    return decorator


def _refuse(event, data, refusal):
    error = {"code": refusal.code, "message": refusal.message, **refusal.extra}
    room = data.get("room") if isinstance(data, dict) else None
    _emit("error", {**error, "event": event, "room": room if _is_id(room) else None}, to=request.sid)
    if refusal.disconnect:
        socketio.server.disconnect(request.sid, namespace=NAMESPACE)
    return {"ok": False, "error": error}


# ---- connection -----------------------------------------------------------------------------

def connect_refusal(user):
    """None if `user` may connect, else {"code", "message", ...} (sent with the refusal)."""
    if not user.is_authenticated:
        return {"code": "unauthenticated", "message": _("Accedi per entrare nelle stanze.")}
    block = active_block(user)
    if block is not None:
        return _blocked(block)
    return None


def on_connect(auth=None):
    try:
        user = _logged_in_user()
        refusal = connect_refusal(user)
        if refusal is not None:
            refusal["message"] = str(refusal["message"])
            # The client reads it as the connect_error's `data` ({code, message, ...}).
            raise ConnectionRefusedError(refusal["message"], refusal)
        store = presence_store()
        if not store.connect(request.sid, user.id, user.display_name,
                             max_sids=current_app.config.get("ROOMS_MAX_SOCKETS_PER_USER")):
            message = _("Hai già troppe finestre collegate alle stanze: chiudine qualcuna e ricarica la pagina.")
            raise ConnectionRefusedError(message, {"code": "too_many_connections", "message": message})
        _connections[request.sid] = {"user_id": user.id, "session_id": user.current_session.id}
        join_room(user_channel(user.id))
        store.bind_session(request.sid, user.current_session.id)  # a log-out elsewhere closes it
        store.start_refresher(socketio)
    except ConnectionRefusedError:
        raise
    except Exception:
        current_app.logger.exception("socket connect failed")
        raise ConnectionRefusedError(_("Qualcosa non ha funzionato: riprova."),
                                     {"code": "internal", "message": _("Qualcosa non ha funzionato: riprova.")})
    finally:
        db.session.remove()


def on_disconnect(reason=None):
    # No database here: a block disconnects from inside the moderator's request, whose session
    # this handler would share. Presence keeps the names it announces.
    user_id = _connections.pop(request.sid, {}).get("user_id")
    for room_id in presence_store().disconnect(request.sid):
        _announce_departure(room_id, user_id)


# ---- events ---------------------------------------------------------------------------------

@_event("join")
def on_join(data):
    """Enter a room: replay what the client missed after `after`, announce presence, acknowledge.
    The database work comes first and its connection goes back to the pool before anything is
    sent: a room filling up has many joins at once, and a connection is not held while sending."""
    version = facts.current_version()
    user = _acting_user()
    room_id, after = data["room"], data["after"]
    room = _readable_room(user, room_id)
    join_room(channel(room.id))  # before the replay is read: a message stored meanwhile comes live
    missed = queries.latest(room) if after is None else queries.after(room, after)
    replay = [message_payload(message) for message in missed]
    kept = _keep_facts(user, room, version)  # the room's first message needs no look-up
    refusal = None if kept.refusal is None else {"code": kept.refusal[0], "message": str(kept.refusal[1])}
    answer = {
        "ok": True, "room": room.id,
        "last_id": missed[-1].id if missed else after,
        "replayed": len(missed),
        "more": after is not None and len(missed) >= queries.CATCH_UP_MAX,
        "locked": room.is_locked, "lock_reason": room.lock_reason if room.is_locked else "",
        "can_write": refusal is None, "reason": refusal,
    }
    me = {"id": user.id, "name": user.display_name}
    db.session.remove()

    present = presence_store().users(room_id)  # read once: the joiner's list is made from it
    already_present = any(person["id"] == me["id"] for person in present)
    presence_store().join(request.sid, room_id)
    for payload in replay:
        _emit("message", payload, to=request.sid)
    if not already_present:
        present = with_user(present, me["id"], me["name"])
    _emit("presence", {"room": room_id, "users": present}, to=request.sid)  # the joiner: the whole list
    if not already_present:  # the others: who arrived, in batches while the room fills up (rooms.arrivals)
        arrivals().arrived(room_id, me, skip_sid=request.sid)
    return answer


@_event("leave")
def on_leave(data):
    room_id = data["room"]
    leave_room(channel(room_id))
    if presence_store().leave(request.sid, room_id):
        _announce_departure(room_id, _socket_session().get("user_id"))
    return {"ok": True, "room": room_id}


@_event("message")
def on_message(data):
    """Store a message (the service broadcasts it) and acknowledge it with its stored form. The
    service answers a resend with the stored message and counts a new one against the user's
    limit (shared with the form of the page)."""
    kept = _write_facts(data["room"])
    message, created = services.post_checked_message(kept.writer, facts.RoomRef(data["room"]), data["body"],
                                                     data["key"], kept.refusal)
    payload = message_payload(message, kept.writer if created else None)
    db.session.commit()
    return {"ok": True, "message": payload, "created": created}


@_event("typing")
def on_typing(data):
    """Tell the others in the room that the user is typing: at most once per TYPING_INTERVAL per
    user and room, however many connections they have (counted before any database work)."""
    room_id = data["room"]
    user_id = _socket_session().get("user_id")
    if user_id is not None and not limits.take_typing_slot(user_id, room_id):
        return {"ok": True, "sent": False}
    kept = _write_facts(room_id)
    if kept.refusal is not None:
        raise Refusal(kept.refusal[0], kept.refusal[1])
    _emit("typing", {"room": room_id, "user": {"id": kept.writer.id, "name": kept.writer.display_name}},
          to=channel(room_id), skip_sid=request.sid)
    return {"ok": True, "sent": True}


@_event("read")
def on_read(data):
    """Move the user's read marker to `last_id` (at most the room's newest message)."""
    user = _acting_user()
    room = _readable_room(user, data["room"])
    last_id = data["last_id"]
    newest = db.session.scalar(sa.select(sa.func.max(Message.id)).where(Message.room_id == room.id)) or 0
    services.mark_read(user, room, min(last_id, newest))
    db.session.commit()
    return {"ok": True, "room": room.id, "last_id": min(last_id, newest)}


@_event("report")
def on_report(data):
    """Report message `id` of the room to its moderators, with a `reason`."""
    user = _acting_user()
    room = _readable_room(user, data["room"])
    message = db.session.get(Message, data["id"]) if data["id"] < 2**31 else None
    if message is None or message.room_id != room.id:
        raise Refusal("not_found", _("Questo messaggio non c'è."))
    services.report_message(user, message, data["reason"])
    db.session.commit()
    return {"ok": True, "room": room.id, "id": message.id,
            "message": _("Grazie: la segnalazione è arrivata ai moderatori della stanza.")}


# ---- moderation ---------------------------------------------------------------------------

def on_user_blocked(user, block, **_extra):
    """A user blocked site-wide: tell every screen of theirs, then disconnect each connection,
    on whichever process holds it (the Redis message queue forwards the disconnect)."""
    _emit("error", {**_blocked(block), "event": None, "room": None}, to=user_channel(user.id))
    for sid in presence_store().sids_of(user.id):
        socketio.server.disconnect(sid, namespace=NAMESPACE)


def on_sessions_revoked(user, session_ids, **_extra):
    """Sign-in sessions ended (a log-out, "esci da tutti i dispositivi", a password change): once
    that is committed, tell each of their sockets why and disconnect it, on whichever process
    holds it (the Redis message queue forwards both)."""
    # Told in the language of whoever ended the session (a CLI or task has no request: Italian).
    message = str(_("La sessione è terminata: accedi di nuovo.")) if has_request_context() else SESSION_ENDED

    def disconnect_them():
        store = presence_store()
        for session_id in session_ids:
            for sid in store.sids_of_session(session_id):
                _emit("error", {"code": "session_ended", "message": message, "event": None, "room": None},
                      to=sid)
                socketio.server.disconnect(sid, namespace=NAMESPACE)

    run_after_commit(disconnect_them)


def disconnect_user_sessions(user_id, session_id=None):
    """Close `user_id`'s /rooms connections on every process: all of them, or only those opened
    under sign-in session `session_id` (for a log-out or a revoked session). Returns how many."""
    store = presence_store()
    sids = store.sids_of(user_id) if session_id is None else store.sids_of_session(session_id)
    for sid in sids:
        socketio.server.disconnect(sid, namespace=NAMESPACE)
    return len(sids)


# ---- registration -------------------------------------------------------------------------

HANDLERS = {
    "connect": on_connect, "disconnect": on_disconnect, "join": on_join, "leave": on_leave,
    "message": on_message, "typing": on_typing, "read": on_read, "report": on_report,
}
_signals_connected = False


def register_socket_handlers(app):
    """Bind the namespace to the app's Socket.IO server (after socketio.init_app: each init_app
    makes a new server, so this runs for every app) and its presence store and rate limiter."""
    global _signals_connected
    init_presence(app)
    limits.init_limiter(app)
    facts.init_facts(app)
    init_arrivals(app)
    for event, handler in HANDLERS.items():
        socketio.on(event, namespace=NAMESPACE)(handler)
    if not _signals_connected:
        signals.connect_listeners([(signals.user_blocked, on_user_blocked),
                                   (signals.sessions_revoked, on_sessions_revoked)])
        _signals_connected = True
