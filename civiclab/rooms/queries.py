"""Reading rooms: the loaders of the room pages, history by keyset pages, what a reconnecting
client missed, unread counts, the rooms a person may read, and the facts write permission depends
on (registration, mute, block) in as few queries as possible.

Who may read or moderate is asked of rooms.permissions, never written here.
"""
import functools

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, lazyload

from civiclab.accounts.blocks import active_block
from civiclab.core.header import HEADER_USER_ID
from civiclab.core.permissions import is_authenticated, require
from civiclab.core.time import utcnow
from civiclab.events.models import ACTIVE_STATES, Event, Registration
from civiclab.extensions import db
from civiclab.places.models import Lab
from civiclab.rooms import permissions
from civiclab.rooms.models import Message, Room, RoomKind, RoomMember, RoomMute, RoomRead

PAGE = 50
CATCH_UP_MAX = 500  # a reconnect replays at most this many; older ones are in the history pages


def room_by_id(room_id):
    """The room with what its permissions need (event and lab, project, lab), or None."""
    if not isinstance(room_id, int) or not 0 < room_id < 2**31:
        return None
    return db.session.scalars(
        sa.select(Room).where(Room.id == room_id)
        .options(joinedload(Room.event).joinedload(Event.lab), joinedload(Room.project), joinedload(Room.lab))
    ).one_or_none()


def readable_room(user, room_id):
    """The room `user` may read, or None (none with that id, or not for them): the pages and the
    socket ask the same question."""
    room = room_by_id(room_id)
    return room if room is not None and permissions.can_read_room(user, room) else None


# What each loader's `for_` asks beyond reading the room.
_MAY = {
    "read": None,
    "moderate": permissions.can_moderate_room,
    "set_readers": permissions.can_set_room_readers,
}


def load_room(room_id, for_="read"):
    """The room of a page, for the signed-in person (or visitor): 404 when there is none or they
    may not read it (a working room or a draft event's room does not exist for them), 403 when
    they read it but may not do `for_` ("moderate", "set_readers").

    Writing has no `for_`: why someone may not write now (muted, locked, not registered) is said
    on the form they sent, by the service (rooms.services.post_message)."""
    may = _MAY[for_]
    room = readable_room(current_user, room_id)
    if room is None:
        abort(404)
    if may is not None:
        require(may(current_user, room))
    return room


def load_message(room, message_id):
    """A message of `room` (404 for one of another room: the room's loader has been asked)."""
    message = db.session.get(Message, message_id)
    if message is None or message.room_id != room.id:
        abort(404)
    return message


_LAB_MAY = {"open_working_room": permissions.can_open_working_room}


def load_lab(lab_id, for_="open_working_room"):
    """A lab for a rooms page about it: 404 unknown, 403 unless `current_user` may do `for_`."""
    may = _LAB_MAY[for_]
    lab = db.get_or_404(Lab, lab_id)
    require(may(current_user, lab))
    return lab


def _beside(subject):
    from civiclab.programmes.models import Project

    if isinstance(subject, Event):
        return Room.event_id == subject.id
    if isinstance(subject, Project):
        return Room.project_id == subject.id
    return sa.and_(Room.lab_id == subject.id, Room.kind == RoomKind.LAB)


def room_of(subject):
    """The room beside an event, a project or a lab (its public room)."""
    return db.session.scalars(sa.select(Room).where(_beside(subject))).one_or_none()


def working_rooms_of(lab):
    return db.session.scalars(
        sa.select(Room).where(Room.lab_id == lab.id, Room.kind == RoomKind.LAB_WORKING).order_by(Room.id)
    ).all()


def member_ids_of(room):
    return set(db.session.scalars(sa.select(RoomMember.user_id).where(RoomMember.room_id == room.id)))


def _member_of(user, room_ids=None):
    """The ids of the working rooms `user` is a member of (among `room_ids` when given)."""
    query = sa.select(RoomMember.room_id).where(RoomMember.user_id == user.id)
    if room_ids is not None:
        query = query.where(RoomMember.room_id.in_(room_ids))
    return set(db.session.scalars(query))


def _readable(user, rooms, member_of, registrations):
    """permissions.can_read_room for each of `rooms`, with the user's memberships (`member_of`:
    room ids) and active registrations ({event id: state}) preloaded."""
    return [room for room in rooms
            if permissions.can_read_room(user, room, registration_state=registrations.get(room.event_id),
                                         member_ids={user.id} if room.id in member_of else ())]


def visible_working_rooms(user, lab):
    """The lab's working rooms `user` may enter (two queries at most): all of them for who may
    open one, their own for members, none for visitors."""
    if not is_authenticated(user):
        return []
    rooms = working_rooms_of(lab)
    if not rooms or permissions.can_open_working_room(user, lab):
        return rooms
    return _readable(user, rooms, _member_of(user, [room.id for room in rooms]), {})


def _with_authors(query):
    return query.options(joinedload(Message.author).lazyload("*"))


def latest(room, limit=PAGE):
    """The last `limit` messages, oldest first (the page's first screen)."""
    rows = db.session.scalars(
        _with_authors(sa.select(Message).where(Message.room_id == room.id).order_by(Message.id.desc()).limit(limit))
    ).all()
    return list(reversed(rows))


def before(room, before_id, limit=PAGE):
    """The `limit` messages before id `before_id`, oldest first (an older page of history)."""
    rows = db.session.scalars(
        _with_authors(sa.select(Message).where(Message.room_id == room.id, Message.id < before_id)
                      .order_by(Message.id.desc()).limit(limit))
    ).all()
    return list(reversed(rows))


def history(room, before_id=None):
    """A page of the room's messages, oldest first, and whether an older page exists: the last
    PAGE, or the PAGE before id `before_id`. One more than a page is read: if it comes back, there
    is an older page (no COUNT needed)."""
    rows = latest(room, PAGE + 1) if before_id is None else before(room, before_id, PAGE + 1)
    return rows[-PAGE:], len(rows) > PAGE


def after(room, after_id, limit=CATCH_UP_MAX):
    """The messages after id `after_id`, oldest first: what a reconnecting client missed."""
    if after_id >= 2**31:  # no row has such an id (and an INTEGER column cannot compare with it)
        return []
    return db.session.scalars(
        _with_authors(sa.select(Message).where(Message.room_id == room.id, Message.id > after_id)
                      .order_by(Message.id).limit(limit))
    ).all()


def registration_state(user, room):
    """The user's active registration state for an event room (None elsewhere, or none)."""
    if room.kind is not RoomKind.EVENT or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Registration.state).where(Registration.event_id == room.event_id,
                                            Registration.user_id == user.id,
                                            Registration.state.in_(ACTIVE_STATES))
    )


def active_registration_states(user, event_ids):
    """{event id: the user's active registration state} for the given events, in one query."""
    if not event_ids or not getattr(user, "is_authenticated", False):
        return {}
    return dict(db.session.execute(
        sa.select(Registration.event_id, Registration.state)
        .where(Registration.event_id.in_(event_ids), Registration.user_id == user.id,
               Registration.state.in_(ACTIVE_STATES))
    ).all())


def active_mute(user, room):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalars(
        sa.select(RoomMute).where(RoomMute.room_id == room.id, RoomMute.user_id == user.id,
                                  RoomMute.lifted_at.is_(None), RoomMute.until > utcnow())
        .order_by(RoomMute.until.desc()).limit(1)
    ).first()


def write_facts(user, room, blocked=None):
    """Keyword arguments for permissions.write_refusal (`blocked` when the caller knows it)."""
    return {
        "registration_state": registration_state(user, room),
        "muted": active_mute(user, room) is not None,
        "blocked": active_block(user) is not None if blocked is None else blocked,
    }


def unread_counts(user, room_ids):
    """{room_id: messages after the user's read marker, not theirs, not deleted} in one query."""
    if not room_ids or not getattr(user, "is_authenticated", False):
        return {}
    marker = (sa.select(RoomRead.last_read_id)
              .where(RoomRead.room_id == Message.room_id, RoomRead.user_id == user.id)
              .scalar_subquery())
    rows = db.session.execute(
        sa.select(Message.room_id, sa.func.count(Message.id))
        .where(Message.room_id.in_(room_ids), Message.author_id != user.id, Message.deleted_at.is_(None),
               Message.id > sa.func.coalesce(marker, 0))
        .group_by(Message.room_id)
    ).all()
    return {room_id: count for room_id, count in rows}


def my_rooms(user):
    """The rooms a user takes part in (see my_room_ids), for the navigation."""
    if not getattr(user, "is_authenticated", False):
        return []
    return db.session.scalars(
        sa.select(Room).where(Room.id.in_(my_room_ids(user)))
        .options(joinedload(Room.event).joinedload(Event.lab), joinedload(Room.project), joinedload(Room.lab))
        .order_by(Room.id)
    ).unique().all()


def my_readable_rooms(user):
    """My rooms that I may still read (a read marker outlives a facilitator role or a membership):
    three queries at most, however many rooms."""
    rooms = my_rooms(user)
    if not rooms:
        return []
    registrations = active_registration_states(
        user, [room.event_id for room in rooms if room.kind is RoomKind.EVENT and room.participants_only])
    return _readable(user, rooms, _member_of(user), registrations)


def my_room_ids(user):
    """A subquery of the ids of the rooms a user takes part in: wrote in, has a read marker in, or
    is a member of (a working room shows up before it is first opened)."""
    return _room_ids_of(user.id)


def _room_ids_of(me):
    """my_room_ids for `me`: a user id, or a bound parameter standing for it."""
    ids = sa.union(
        sa.select(RoomRead.room_id).where(RoomRead.user_id == me),
        sa.select(Message.room_id).where(Message.author_id == me),
        sa.select(RoomMember.room_id).where(RoomMember.user_id == me),
    ).subquery()
    return sa.select(ids.c.room_id)


def _unread_messages(me):
    """The messages of the rooms of `me` (a user id, or a bound parameter standing for it) after
    their read marker, not theirs, not deleted."""
    marker = (sa.select(RoomRead.last_read_id)
              .where(RoomRead.room_id == Message.room_id, RoomRead.user_id == me)
              .scalar_subquery())
    return (Message.room_id.in_(_room_ids_of(me)), Message.author_id != me,
            Message.deleted_at.is_(None), Message.id > sa.func.coalesce(marker, 0))


def _rooms_anyone_reads():
    return sa.select(Room.id).where(permissions.readable_by_anyone_clause())


@functools.cache
def _unread_figures():
    """(unread messages in rooms anyone reads, unread messages in the other rooms) of the user
    the header's bound parameter names; built once, the user's id is given when it runs."""
    me = sa.bindparam(HEADER_USER_ID, type_=sa.Integer)
    count = sa.select(sa.func.count(Message.id))
    return (count.where(*_unread_messages(me), Message.room_id.in_(_rooms_anyone_reads())).scalar_subquery(),
            count.where(*_unread_messages(me), Message.room_id.not_in(_rooms_anyone_reads())).scalar_subquery())


def unread_columns(user):
    """The header's rooms counter as SQL (core/header.py selects it with the other counters):
    (unread messages in the user's rooms anyone reads, unread messages in their other rooms, of
    which checked_unread says which ones the user may read)."""
    return _unread_figures()


def readable_unread(user, anyone, to_check):
    """The header's rooms counter from its figures: the unread messages of the rooms `user` may
    still read (a read marker outlives a facilitator role, a membership or a registration)."""
    return (anyone or 0) + checked_unread(user, to_check)


def checked_unread(user, to_check):
    """The header's rooms counter, second step: of the `to_check` unread messages in rooms only
    can_read_room decides, those in rooms `user` may read (one query; none when 0)."""
    if not to_check:
        return 0
    unread = (sa.select(Message.room_id, sa.func.count(Message.id).label("unread"))
              .where(*_unread_messages(user.id), Message.room_id.not_in(_rooms_anyone_reads()))
              .group_by(Message.room_id).subquery())
    state = (sa.select(Registration.state)
             .where(Registration.event_id == Room.event_id, Registration.user_id == user.id,
                    Registration.state.in_(ACTIVE_STATES)).limit(1).scalar_subquery())
    member = sa.exists().where(RoomMember.room_id == Room.id, RoomMember.user_id == user.id)
    rows = db.session.execute(
        sa.select(Room, unread.c.unread, state, member).join(unread, unread.c.room_id == Room.id)
        .options(joinedload(Room.event).options(joinedload(Event.lab), lazyload(Event.audience_rows)),
                 joinedload(Room.project), joinedload(Room.lab))
    ).all()
    return sum(count for room, count, registration, is_member in rows
               if permissions.can_read_room(user, room, registration_state=registration,
                                            member_ids={user.id} if is_member else ()))


def room_with_count(subject):
    """(the room beside an event, project or lab, its messages not deleted) in one query."""
    count = (sa.select(sa.func.count(Message.id))
             .where(Message.room_id == Room.id, Message.deleted_at.is_(None)).scalar_subquery())
    row = db.session.execute(sa.select(Room, count).where(_beside(subject))).first()
    return (row[0], row[1]) if row else (None, 0)


def visible_room_with_count(user, subject):
    """(room, messages) beside an event, project or lab, for its page's link: one query (two for
    a participants-only event room); (None, 0) when `user` may not read the room."""
    room, count = room_with_count(subject)
    if room is None or not permissions.can_read_room(user, room):
        return None, 0
    return room, count
