"""Who may read, write in and moderate each kind of room (pure functions; sockets and pages alike).

Write permission is asked with `write_refusal`, which says why not (a code the socket protocol
sends and a message people read), so a client can show the reason.
"""
from flask_babel import lazy_gettext as _l

from civiclab.core.permissions import is_authenticated
from civiclab.events.models import ACTIVE_STATES, RegistrationState
from civiclab.events.permissions import can_manage_lab_events, can_view_event
from civiclab.places.permissions import can_moderate_in_city
from civiclab.programmes.permissions import can_view_project
from civiclab.rooms.models import RoomKind


def can_moderate_room(user, room):
    """The facilitators of the room's lab (for a project: of any lab of its city), the city's
    municipality staff, administrators."""
    if not is_authenticated(user):
        return False
    if room.kind is RoomKind.EVENT:
        return can_manage_lab_events(user, room.event.lab)
    if room.kind is RoomKind.PROJECT:
        return can_moderate_in_city(user, room.project.city_id)
    return can_manage_lab_events(user, room.lab)


def is_member(user, room, member_ids=None):
    """Of a working room: its members, and who moderates it. `member_ids` may be given preloaded."""
    if not is_authenticated(user):
        return False
    if can_moderate_room(user, room):
        return True
    if member_ids is None:
        from civiclab.rooms.queries import member_ids_of

        member_ids = member_ids_of(room)
    return user.id in member_ids


_UNKNOWN = object()


def can_read_room(user, room, registration_state=_UNKNOWN, member_ids=None):
    """Who reads a room. An event's room made participants-only: who organises the event and who
    holds an active registration to it (confirmed or waiting); a working room: its members and who
    moderates it. `registration_state` (the user's active registration state, or None) and
    `member_ids` (of a working room) may be given preloaded; else they are looked up."""
    if room.kind is RoomKind.EVENT:
        if not can_view_event(user, room.event):
            return False
        if not room.participants_only:
            return True
        if not is_authenticated(user):
            return False
        if can_moderate_room(user, room):
            return True
        if registration_state is _UNKNOWN:
            from civiclab.rooms.queries import registration_state as active_state

            registration_state = active_state(user, room)
        return registration_state in ACTIVE_STATES
    if room.kind is RoomKind.PROJECT:
        return can_view_project(user, room.project)
    if room.kind is RoomKind.LAB:
        return True
    return is_member(user, room, member_ids)


def readable_by_anyone_clause():
    """can_read_room's answer for every person at once, as SQL on `rooms`: a lab's public room, a
    published project's room, and the room of an event that is no draft and not participants-only.
    Only a room this says yes to is readable without asking can_read_room; for the others (working
    rooms, drafts, participants-only rooms) ask can_read_room."""
    import sqlalchemy as sa

    from civiclab.events.models import Event, EventState
    from civiclab.programmes.models import Project
    from civiclab.rooms.models import Room

    return sa.or_(
        Room.kind == RoomKind.LAB,
        sa.and_(Room.kind == RoomKind.PROJECT,
                sa.exists().where(Project.id == Room.project_id, Project.published.is_(True))),
        sa.and_(Room.kind == RoomKind.EVENT, Room.participants_only.is_(False),
                sa.exists().where(Event.id == Room.event_id, Event.state != EventState.DRAFT)),
    )


def write_refusal(user, room, registration_state=None, muted=False, blocked=False):
    """None if `user` may write in `room` now, else (code, message).

    `registration_state` is the user's registration state for an event room; `muted` and
    `blocked` are looked up by the caller (rooms.queries), so this stays a pure function.
    """
    if not is_authenticated(user):
        return "unauthenticated", _l("Accedi per scrivere nella stanza.")
    if not can_read_room(user, room, registration_state):
        return "forbidden", _l("Non puoi partecipare a questa stanza.")
    if blocked:
        return "blocked", _l("Il tuo account è bloccato: non puoi scrivere.")
    moderator = can_moderate_room(user, room)
    if room.is_locked and not moderator:
        return "locked", _l("La stanza è in sola lettura.")
    if muted and not moderator:
        return "muted", _l("In questa stanza non puoi scrivere per un po' (silenziamento).")
    if not user.is_confirmed:
        return "forbidden", _l("Conferma il tuo indirizzo email per scrivere.")
    if room.kind is RoomKind.EVENT and not moderator and registration_state is not RegistrationState.CONFIRMED:
        return "forbidden", _l("Scrivono nella stanza dell'evento gli iscritti confermati e chi lo organizza.")
    return None


def can_set_room_readers(user, room):
    """Who may make an event's room participants-only (or open it again): who moderates it."""
    return room.kind is RoomKind.EVENT and can_moderate_room(user, room)


def can_report_message(user, message):
    """A signed-in, confirmed reader of the room may report someone else's message still shown."""
    return can_report_in_readable_room(user, message) and can_read_room(user, message.room)


def can_report_in_readable_room(user, message):
    """can_report_message where the room is already known to be readable by `user` (a room page
    asks it for each message it shows, without asking about the room again)."""
    return (is_authenticated(user) and user.is_confirmed and message.author_id != user.id
            and message.deleted_at is None)


def can_open_working_room(user, lab):
    return can_manage_lab_events(user, lab)
