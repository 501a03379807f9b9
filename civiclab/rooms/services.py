"""The rules of rooms: a message is checked, sanitised and stored before anyone sees it; a resend
with the same client key stores nothing twice; moderation (delete, mute, lock) is logged with its
reason. Services flush and send signals; rooms/broadcast.py pushes them to connected screens."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.core import signals
from civiclab.core.audit import audit
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.kit import REASON_MAX  # the reason's limit of every form and service
from civiclab.core.sanitize import is_blank, plain_text, render_markdown
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.moderation import services as moderation
from civiclab.moderation.services import log
from civiclab.rooms import limits, permissions, queries
from civiclab.rooms.models import (
    CLIENT_KEY_MAX,
    MESSAGE_MAX,
    Message,
    Room,
    RoomKind,
    RoomMember,
    RoomMute,
    RoomRead,
)
from civiclab.rooms.payloads import unstorable

MUTE_MINUTES_MAX = 60 * 24 * 30


class RoomError(DomainError):
    """A refusal with a code the socket protocol sends (`error {code, message}`)."""

    def __init__(self, code, message, field=None):
        super().__init__(message, field)
        self.code = code


class RoomNotAllowed(RoomError):
    """Who is acting may not do this in the room now (codes "forbidden", "muted", "locked", …).

    Not a core NotAllowed (a 403 page): the socket sends its code, and a page says it on the form
    that was sent (422), what was typed kept. Who may not read or moderate the room at all has
    been refused before, by the page's loader (rooms.queries.load_room: 404 or 403)."""


def _reason(reason):
    reason = (reason or "").strip()
    if is_blank(reason):
        raise RoomError("invalid", _l("Scrivi il motivo."), field="reason")
    if len(reason) > REASON_MAX:
        raise RoomError("invalid", _l("Il motivo può avere al massimo %(n)d caratteri.", n=REASON_MAX),
                        field="reason")
    return reason


def _client_key(key):
    if key is None or key == "":
        return None
    if not isinstance(key, str) or len(key) > CLIENT_KEY_MAX or not key.isprintable() or unstorable(key):
        raise RoomError("invalid", _l("Chiave del messaggio non valida."), field="key")
    return key


def _resent(user_id, key):
    """The message `user_id` already stored with client key `key`, or None."""
    if key is None:
        return None
    return db.session.scalars(
        sa.select(Message).where(Message.author_id == user_id, Message.client_key == key)
    ).one_or_none()


def _same_room(existing, room_id):
    if existing.room_id != room_id:
        raise RoomError("invalid", _l("Chiave del messaggio già usata."), field="key")
    return existing, False


def _checked_body(body):
    if not isinstance(body, str):
        raise RoomError("invalid", _l("Il messaggio è vuoto."), field="body")
    body = body.strip()
    if is_blank(body):
        raise RoomError("invalid", _l("Il messaggio è vuoto."), field="body")
    if len(body) > MESSAGE_MAX:
        raise RoomError("invalid", _l("Il messaggio può avere al massimo %(n)d caratteri.", n=MESSAGE_MAX),
                        field="body")
    if unstorable(body):
        raise RoomError("invalid", _l("Il messaggio contiene caratteri non validi."), field="body")
    return body


def _take_slot(user_id):
    if not limits.take_message_slot(user_id):
        raise RoomError("rate_limited", _l("Stai scrivendo troppo in fretta: aspetta qualche secondo."))


def post_message(user, room, body, client_key=None, facts=None):
    """Store `user`'s message in `room`; returns (message, created).

    With a `client_key` already used by this user, the stored message is returned and nothing is
    added (created False): a client resending after a lost acknowledgement gets the same id.
    `facts` (queries.write_facts) may be given by a caller that has just looked them up.
    A new message takes a slot of the user's message limit (rooms.limits), the same whether it
    came through the socket or the form; a resend takes none.
    """
    key = _client_key(client_key)
    if getattr(user, "is_authenticated", False):
        existing = _resent(user.id, key)
        if existing is not None:
            return _same_room(existing, room.id)
    refusal = permissions.write_refusal(user, room, **(facts or queries.write_facts(user, room)))
    if refusal is not None:
        raise RoomNotAllowed(*refusal)
    body = _checked_body(body)
    _take_slot(user.id)
    message = Message(room_id=room.id, author_id=user.id, body=body, body_html=render_markdown(body),
                      client_key=key)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        # The same key raced in from another connection: that one was stored.
        existing = _resent(user.id, key)
        if existing is None:
            raise
        return existing, False
    message.room = room
    message.author = user
    # No read marker to move: one's own messages never count as unread.
    signals.room_message_posted.send(room, message=message, author=user)
    return message, True


def post_checked_message(writer, room, body, client_key, refusal):
    """Store a message of `writer` (a rooms.facts.Writer) in `room` (anything with its `id`)
    whose write permission has been decided already: `refusal` is permissions.write_refusal's
    answer, kept for the connection (rooms.facts) while nothing it depends on has changed.
    Returns (message, created), as post_message.

    The socket's path: it runs alone in its transaction, so a resend is found by the unique key
    on the INSERT itself (the transaction is rolled back and the stored message returned) rather
    than by a look-up before every message: one INSERT per message.
    """
    key = _client_key(client_key)
    if refusal is not None:
        existing = _resent(writer.id, key)  # a resend is answered even when writing is refused now
        if existing is not None:
            return _same_room(existing, room.id)
        raise RoomNotAllowed(*refusal)
    body = _checked_body(body)
    message = Message(room_id=room.id, author_id=writer.id, body=body, body_html=render_markdown(body),
                      client_key=key, created_at=utcnow())
    db.session.add(message)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _resent(writer.id, key)
        if existing is None:
            raise
        return _same_room(existing, room.id)
    _take_slot(writer.id)  # after the INSERT: a resend takes no slot; a refusal rolls it back
    signals.room_message_posted.send(room, message=message, author=writer)
    return message, True


def delete_message(actor, message, reason):
    """A moderator deletes a message (a placeholder stays in the history); logged with the reason."""
    room = message.room
    if not permissions.can_moderate_room(actor, room):
        raise RoomNotAllowed("forbidden", _l("Solo chi modera la stanza può eliminare i messaggi."))
    reason = _reason(reason)
    if message.deleted_at is not None:
        raise RoomError("invalid", _l("Questo messaggio è già stato eliminato."))
    message.deleted_at = utcnow()
    message.deleted_by_id = actor.id
    message.delete_reason = reason
    entry = log(actor, "delete_message", reason, user=message.author, room=room)
    entry.room_message_id = message.id
    db.session.flush()
    audit(actor, "room.message_deleted", message, city_id=room.city_id, reason=reason, room_id=room.id,
          author_id=message.author_id)
    signals.room_message_deleted.send(room, message=message)
    return message


def mute_user(actor, room, user, minutes, reason):
    """A moderator mutes `user` in `room` for `minutes`; logged."""
    if not permissions.can_moderate_room(actor, room):
        raise RoomNotAllowed("forbidden", _l("Solo chi modera la stanza può silenziare."))
    reason = _reason(reason)
    if not isinstance(minutes, int) or not 0 < minutes <= MUTE_MINUTES_MAX:
        raise RoomError("invalid", _l("Durata non valida."), field="minutes")
    if user.id == actor.id or permissions.can_moderate_room(user, room):
        raise RoomError("invalid", _l("Chi modera la stanza non si silenzia."))
    mute = RoomMute(room_id=room.id, user_id=user.id, muted_by_id=actor.id, reason=reason,
                    until=utcnow() + timedelta(minutes=minutes))
    db.session.add(mute)
    log(actor, "mute_user", reason, user=user, room=room)
    db.session.flush()
    signals.room_user_muted.send(room, mute=mute)
    return mute


def set_locked(actor, room, locked, reason):
    """Lock a room read-only (or reopen it); logged with the reason."""
    if not permissions.can_moderate_room(actor, room):
        raise RoomNotAllowed("forbidden", _l("Solo chi modera la stanza può chiuderla."))
    reason = _reason(reason)
    if locked == room.is_locked:
        raise RoomError("invalid", _l("La stanza è già in sola lettura.") if locked else _l("La stanza è già aperta."))
    room.locked_at = utcnow() if locked else None
    room.locked_by_id = actor.id if locked else None
    room.lock_reason = reason if locked else ""
    log(actor, "lock_room" if locked else "unlock_room", reason, room=room)
    db.session.flush()
    signals.room_locked.send(room, locked=locked, reason=reason)
    return room


def report_message(user, message, reason):
    """A reader of the room reports someone else's message to its moderators (the moderation
    queue's reports, see moderation.services.report). Once per person and message: a second report,
    also one racing in from a double submission, is refused with a clear message."""
    if not permissions.can_read_room(user, message.room):
        raise RoomNotAllowed("forbidden", _l("Non puoi partecipare a questa stanza."))
    if not getattr(user, "is_confirmed", False):
        raise RoomNotAllowed("forbidden", _l("Conferma il tuo indirizzo email per segnalare."))
    if message.author_id == user.id:
        raise RoomError("invalid", _l("Non puoi segnalare un tuo messaggio."))
    if message.deleted_at is not None:
        raise RoomError("invalid", _l("Questo messaggio è già stato eliminato."))
    already = RoomError("already_reported", _l("Hai già segnalato questo messaggio: i moderatori lo stanno esaminando."))
    try:  # a report already filed, also one racing in, is a DomainError of moderation.report
        return moderation.report(user, message, reason)
    except DomainError as error:  # a reason missing or too long, or a report already filed
        if error.field == "reason":
            raise RoomError("invalid", error.message, field="reason") from None
        raise already from None


def set_participants_only(actor, room, participants_only):
    """Facilitators make an event's room readable by its participants only, or by anyone again."""
    if not permissions.can_set_room_readers(actor, room):
        raise RoomNotAllowed("forbidden", _l("Solo chi organizza l'evento decide chi legge la sua stanza."))
    room.participants_only = bool(participants_only)
    db.session.flush()
    return room


def mark_read(user, room, message_id):
    """Move the user's read marker forward to `message_id` (never back)."""
    if not getattr(user, "is_authenticated", False) or not isinstance(message_id, int) or message_id < 0:
        return
    marker = db.session.scalars(
        sa.select(RoomRead).where(RoomRead.room_id == room.id, RoomRead.user_id == user.id)
    ).one_or_none()
    if marker is None:
        try:
            with db.session.begin_nested():
                db.session.add(RoomRead(room_id=room.id, user_id=user.id, last_read_id=message_id))
            return
        except IntegrityError:
            marker = db.session.scalars(
                sa.select(RoomRead).where(RoomRead.room_id == room.id, RoomRead.user_id == user.id)
            ).one()
    if message_id > marker.last_read_id:
        marker.last_read_id = message_id
        db.session.flush()


def open_working_room(actor, lab, title, member_ids=()):
    """A facilitator opens a members-only working room in their lab."""
    if not permissions.can_open_working_room(actor, lab):
        raise NotAllowed(_l("Solo i facilitatori del laboratorio aprono stanze di lavoro."))
    title = plain_text(title or "").strip()
    if is_blank(title):
        raise DomainError(_l("Dai un nome alla stanza."), field="title")
    room = Room(kind=RoomKind.LAB_WORKING, lab_id=lab.id, title=title[:160], created_by_id=actor.id)
    db.session.add(room)
    db.session.flush()
    for user_id in sorted(set(member_ids)):
        db.session.add(RoomMember(room_id=room.id, user_id=user_id))
    db.session.flush()
    return room


def add_member(actor, room, user):
    if room.kind is not RoomKind.LAB_WORKING or not permissions.can_moderate_room(actor, room):
        raise NotAllowed(_l("Non puoi cambiare i membri di questa stanza."))
    if user.id not in queries.member_ids_of(room):
        db.session.add(RoomMember(room_id=room.id, user_id=user.id))
        db.session.flush()
