"""Route walk rows for rooms: endpoint -> (method, url built from the world, status per role).

The world (tests/unit/test_route_permissions.py) has a lab (run by the facilitator; staff is its
city's), an event and a project; each has its room, created with it. The lab's room is read by
everyone and moderated by the lab's facilitator, the city's staff and administrators. Working
rooms (members only) and draft events' rooms are walked in tests/unit/rooms/test_room_pages.py.
"""
from tests.unit.route_tables.common import managers, signed_in


def moderators(status):
    return {**managers(status), "facilitator": status}


def lab_room(w):
    from civiclab.rooms.queries import room_of

    return room_of(w["lab"])


def event_room(w):
    from civiclab.rooms.queries import room_of

    return room_of(w["door_event"])


def message(w):
    """A message of the world's `author` in the lab's room (made once per world)."""
    if "room_message" not in w:
        from civiclab.extensions import db
        from civiclab.rooms.models import Message

        w["room_message"] = Message(room_id=lab_room(w).id, author_id=w["author"].id, body="Ciao",
                                    body_html="<p>Ciao</p>")
        db.session.add(w["room_message"])
        db.session.commit()
    return w["room_message"]


ROUTES = {
    "rooms.index": ("GET", lambda w: "/stanze", signed_in(200)),
    # the lab's room is public; a working room exists only for its members (see the rooms tests)
    "rooms.room": ("GET", lambda w: f"/stanze/{lab_room(w).id}", {**signed_in(200), "anonymous": 200}),
    # any signed-in user reaches the form; an empty message is 422
    "rooms.post_message": ("POST", lambda w: f"/stanze/{lab_room(w).id}/messaggi", signed_in(422)),
    # moderation: who moderates the room; without a reason, 422
    "rooms.delete_message": (
        "POST", lambda w: f"/stanze/{lab_room(w).id}/messaggi/{message(w).id}/elimina", moderators(422),
    ),
    # any signed-in reader may report a message; without a reason, 422
    "rooms.report_message": (
        "POST", lambda w: f"/stanze/{lab_room(w).id}/messaggi/{message(w).id}/segnala", signed_in(422),
    ),
    # who organises the event chooses who reads its room; without a choice, 422
    "rooms.readers": ("POST", lambda w: f"/stanze/{event_room(w).id}/lettori", moderators(422)),
    "rooms.mute": ("POST", lambda w: f"/stanze/{lab_room(w).id}/silenzia/{w['author'].id}", moderators(422)),
    "rooms.lock": ("POST", lambda w: f"/stanze/{lab_room(w).id}/chiudi", moderators(422)),
    "rooms.unlock": ("POST", lambda w: f"/stanze/{lab_room(w).id}/riapri", moderators(422)),
    # the lab's facilitators, the city's staff and administrators open working rooms
    "rooms.working_room_new": ("GET", lambda w: f"/gestione/laboratori/{w['lab'].id}/stanze/nuova", moderators(200)),
}
