"""Room messages can be reported: what moderation reads about them (moderation/reportable.py),
added from rooms' connect().

A room's moderators watch it live, so reports only queue a message (nothing is hidden by them), a
second report by the same person is refused, and an upheld report deletes the message (a
placeholder stays), as a moderator's deletion does.
"""
import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from civiclab.core import signals
from civiclab.events.models import Event
from civiclab.moderation.reportable import Reportable, reportable
from civiclab.places.models import Lab
from civiclab.programmes.models import Project
from civiclab.rooms.models import Message, Room
from civiclab.rooms.permissions import can_moderate_room


def _may_moderate(user, message):
    return can_moderate_room(user, message.room)


def _city_of(message):
    return message.room.city_id


def _url(message):
    return url_for("rooms.room", room_id=message.room_id, _anchor=f"messaggio-{message.id}")


def _loads():
    return (joinedload(Message.room).options(joinedload(Room.event).joinedload(Event.lab),
                                             joinedload(Room.project), joinedload(Room.lab)),)


def _author_city_ids(user):
    """The cities of the rooms where `user` wrote (an event's, a project's or a lab's)."""
    rooms = sa.select(Room.id).join(Message, Message.room_id == Room.id).where(Message.author_id == user.id)
    lab_rooms = sa.select(Lab.city_id).join(Room, Room.lab_id == Lab.id).where(Room.id.in_(rooms))
    project_rooms = sa.select(Project.city_id).join(Room, Room.project_id == Project.id).where(Room.id.in_(rooms))
    event_rooms = (sa.select(Lab.city_id).join(Event, Event.lab_id == Lab.id).join(Room, Room.event_id == Event.id)
                   .where(Room.id.in_(rooms)))
    return lab_rooms, project_rooms, event_rooms


def _delete_upheld(actor, message, reason, now):
    if message.deleted_at is None:
        message.deleted_at = now
        message.deleted_by_id = actor.id
        message.delete_reason = reason
        signals.room_message_deleted.send(message.room, message=message)


def _logged_with(message):
    """A decision on a message is logged with its author and its room (the room carries the city)."""
    return {"user": message.author, "room": message.room}


MESSAGE = Reportable(
    name="messaggio", model=Message, column="room_message_id", may_moderate=_may_moderate,
    city_of=_city_of, url=_url, loads=_loads, author_city_ids=_author_city_ids,
    hidden_by_reports=False, upheld=_delete_upheld, refuses_second_report=True, logged_with=_logged_with,
)


def connect():
    reportable.add(MESSAGE.name, MESSAGE)
