"""Rooms through their services: created with their subject, messages stored once, moderation."""
import pytest

from civiclab.rooms import queries, services
from civiclab.rooms.models import Message, RoomKind


def test_events_projects_and_labs_get_their_room_when_created(db_session, make_event, make_project):
    event, project = make_event(), make_project()
    assert queries.room_of(event).kind is RoomKind.EVENT
    assert queries.room_of(project).kind is RoomKind.PROJECT
    assert queries.room_of(event.lab).kind is RoomKind.LAB


def test_a_resend_with_the_same_key_stores_once(in_request, db_session, make_lab, make_user):
    room = queries.room_of(make_lab())
    user = make_user()
    first, created = services.post_message(user, room, "Ciao a tutti", client_key="k-1")
    again, created_again = services.post_message(user, room, "Ciao a tutti", client_key="k-1")
    assert created and not created_again and again.id == first.id
    assert db_session.query(Message).count() == 1


def test_an_event_room_is_written_by_confirmed_registrants_and_staff_only(
        in_request, make_event, make_user, make_facilitator):
    event = make_event()
    room = queries.room_of(event)
    with pytest.raises(services.RoomNotAllowed) as refused:
        services.post_message(make_user(), room, "Posso?")
    assert refused.value.code == "forbidden"
    message, _ = services.post_message(make_facilitator(event.lab), room, "Benvenuti")
    assert message.id


def test_muted_users_and_locked_rooms_refuse_messages(in_request, make_lab, make_user, make_facilitator):
    lab = make_lab()
    room = queries.room_of(lab)
    facilitator, user = make_facilitator(lab), make_user()
    services.mute_user(facilitator, room, user, 10, "Insulti")
    with pytest.raises(services.RoomNotAllowed) as refused:
        services.post_message(user, room, "Ancora io")
    assert refused.value.code == "muted"
    services.set_locked(facilitator, room, True, "Fine dell'incontro")
    with pytest.raises(services.RoomNotAllowed) as refused:
        services.post_message(make_user(), room, "Ci sono?")
    assert refused.value.code == "locked"


def test_unread_counts_follow_the_read_marker(in_request, make_lab, make_user):
    room = queries.room_of(make_lab())
    reader, writer = make_user(), make_user()
    first, _ = services.post_message(writer, room, "Uno")
    services.post_message(writer, room, "Due")
    assert queries.unread_counts(reader, [room.id]) == {room.id: 2}
    services.mark_read(reader, room, first.id)
    assert queries.unread_counts(reader, [room.id]) == {room.id: 1}
