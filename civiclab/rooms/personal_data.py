"""A user's part of the rooms in their data export, and what deleting the account does to it.

Exported: the messages they wrote (with their text, also of those moderators deleted), the working
rooms they are a member of, the mutes put on them, their read markers, and the rooms they opened
or put in read-only. The reports they filed about room messages are in the moderation's "reports"
section.

Deleting the account erases the text of every message they wrote: the message stays in the
history as a placeholder ("removed with the account"), as a moderated one does, so the thread
keeps its order and nobody can read a phone number once typed there. Their working-room
memberships and read markers go; mutes stay, like blocks, as part of the moderation record.
"""
import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from civiclab.accounts.services import export_section
from civiclab.core import signals
from civiclab.core.time import isoformat, utcnow
from civiclab.events.models import Event
from civiclab.extensions import db
from civiclab.rooms.models import Message, Room, RoomMember, RoomMute, RoomRead
from civiclab.rooms.permissions import can_read_room


def _rooms_options(relationship):
    return contains_eager(relationship).options(joinedload(Room.event).joinedload(Event.lab),
                                                joinedload(Room.project), joinedload(Room.lab))


def _room(user, room):
    """What a room is called in the export; a room they may no longer read by its id alone."""
    return {"room_id": room.id, "kind": room.kind.value, "name": room.name if can_read_room(user, room) else None}


def export_room_messages(user):
    """Every message `user` wrote in a room, oldest first."""
    messages = db.session.scalars(
        sa.select(Message).join(Message.room).options(_rooms_options(Message.room))
        .where(Message.author_id == user.id).order_by(Message.id)
    ).unique().all()
    return [
        {
            "id": message.id,
            "room": _room(user, message.room),
            "body": message.body,
            "created_at": isoformat(message.created_at),
            "deleted_by_moderators": message.deleted_at is not None and message.deleted_by_id is not None,
            "deleted_at": isoformat(message.deleted_at),
            "delete_reason": message.delete_reason or None,
        }
        for message in messages
    ]


def export_room_memberships(user):
    """The working rooms `user` was made a member of."""
    rows = db.session.execute(
        sa.select(RoomMember, Room).join(Room, RoomMember.room_id == Room.id).options(joinedload(Room.lab))
        .where(RoomMember.user_id == user.id).order_by(RoomMember.id)
    ).all()
    return [{**_room(user, room), "since": isoformat(member.created_at)} for member, room in rows]


def export_room_mutes(user):
    """The times moderators muted `user` in a room, lifted or not."""
    mutes = db.session.scalars(
        sa.select(RoomMute).where(RoomMute.user_id == user.id).order_by(RoomMute.created_at, RoomMute.id)
    ).all()
    return [
        {"room_id": mute.room_id, "reason": mute.reason, "created_at": isoformat(mute.created_at),
         "until": isoformat(mute.until), "lifted_at": isoformat(mute.lifted_at)}
        for mute in mutes
    ]


def export_room_read_markers(user):
    """Up to which message `user` has read each room (for the unread counts)."""
    reads = db.session.scalars(sa.select(RoomRead).where(RoomRead.user_id == user.id).order_by(RoomRead.room_id))
    return [{"room_id": read.room_id, "last_read_message_id": read.last_read_id,
             "updated_at": isoformat(read.updated_at)} for read in reads]


def export_rooms_opened_or_locked(user):
    """The working rooms `user` opened and the rooms they have put in read-only, with the reason
    (the rooms table's own user ids; what moderators did to messages is in the moderation log)."""
    rooms = db.session.scalars(
        sa.select(Room).options(joinedload(Room.event).joinedload(Event.lab), joinedload(Room.project),
                                joinedload(Room.lab))
        .where(sa.or_(Room.created_by_id == user.id, Room.locked_by_id == user.id)).order_by(Room.id)
    ).unique().all()
    return [
        {**_room(user, room),
         "opened_at": isoformat(room.created_at) if room.created_by_id == user.id else None,
         "locked_at": isoformat(room.locked_at) if room.locked_by_id == user.id else None,
         "lock_reason": room.lock_reason if room.locked_by_id == user.id else None}
        for room in rooms
    ]


def on_user_deleted(user, **_extra):
    """Erase the text of the deleted account's messages (a placeholder stays), and drop its
    working-room memberships and read markers."""
    mine = Message.author_id == user.id
    db.session.execute(sa.update(Message).where(mine, Message.deleted_at.is_(None)).values(deleted_at=utcnow()),
                       execution_options={"synchronize_session": "fetch"})
    db.session.execute(sa.update(Message).where(mine).values(body="", body_html="", client_key=None),
                       execution_options={"synchronize_session": "fetch"})
    db.session.execute(sa.delete(RoomMember).where(RoomMember.user_id == user.id))
    db.session.execute(sa.delete(RoomRead).where(RoomRead.user_id == user.id))
    db.session.flush()


SECTIONS = {
    "room_messages": export_room_messages,
    "room_memberships": export_room_memberships,
    "room_mutes": export_room_mutes,
    "room_read_markers": export_room_read_markers,
    "rooms_opened_or_locked": export_rooms_opened_or_locked,
}


def connect():
    """From rooms.connect(): the export's sections, and what deleting an account erases."""
    for name, export in SECTIONS.items():
        export_section(name)(export)
    signals.connect_listeners([(signals.user_deleted, on_user_deleted)])
