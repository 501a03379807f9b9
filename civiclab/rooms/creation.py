"""Every event, project and lab has its room, created with it (in the same flush)."""
import sqlalchemy as sa

from civiclab.rooms.models import Room, RoomKind

_connected = False


def _add_rooms(session, flush_context, instances):
    from civiclab.events.models import Event
    from civiclab.places.models import Lab
    from civiclab.programmes.models import Project

    for obj in list(session.new):
        if isinstance(obj, Event):
            session.add(Room(kind=RoomKind.EVENT, event=obj))
        elif isinstance(obj, Project):
            session.add(Room(kind=RoomKind.PROJECT, project=obj))
        elif isinstance(obj, Lab):
            session.add(Room(kind=RoomKind.LAB, lab=obj))


def connect_room_creation():
    """Once per process: a before_flush hook on every session."""
    global _connected
    if _connected:
        return
    sa.event.listen(sa.orm.Session, "before_flush", _add_rooms)
    _connected = True
