"""A user's part of the rooms in "I miei dati", and what deleting the account does to it."""
import sqlalchemy as sa

from civiclab.rooms import queries, services
from civiclab.rooms.models import Message, Room, RoomMember, RoomMute, RoomRead
from tests.conftest import DEMO_PASSWORD, login


def _export(client, user):
    login(client, user)
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_export_holds_my_room_messages_memberships_mutes_and_read_markers(
        in_request, client, db_session, make_lab, make_user, make_facilitator):
    lab = make_lab()
    me, other, facilitator = make_user(), make_user(), make_facilitator(lab)
    room = queries.room_of(lab)
    working = services.open_working_room(facilitator, lab, "Gruppo orti", [me.id])
    mine, _created = services.post_message(me, room, "Chiamatemi al 333 1234567")
    services.post_message(other, room, "Un messaggio altrui")
    moderated, _created = services.post_message(me, working, "Fuori tema")
    services.delete_message(facilitator, moderated, "Non pertinente")
    services.mute_user(facilitator, room, me, 15, "Toni accesi")
    services.mark_read(me, room, mine.id)
    db_session.commit()

    data = _export(client, me)

    assert [m["body"] for m in data["room_messages"]] == ["Chiamatemi al 333 1234567", "Fuori tema"]
    first, second = data["room_messages"]
    assert first["room"] == {"room_id": room.id, "kind": "lab", "name": room.name}
    assert not first["deleted_by_moderators"]
    assert second["deleted_by_moderators"] and second["delete_reason"] == "Non pertinente"
    assert data["room_memberships"] == [
        {"room_id": working.id, "kind": "lab_working", "name": "Gruppo orti", "since": data["room_memberships"][0]["since"]}]
    assert [(m["room_id"], m["reason"]) for m in data["room_mutes"]] == [(room.id, "Toni accesi")]
    assert [(r["room_id"], r["last_read_message_id"]) for r in data["room_read_markers"]] == [(room.id, mine.id)]


def test_deleting_the_account_erases_the_text_of_its_room_messages_and_shows_a_placeholder(
        in_request, client, db_session, make_lab, make_user, make_facilitator):
    lab = make_lab()
    me, other, facilitator = make_user(), make_user(), make_facilitator(lab)
    room = queries.room_of(lab)
    working = services.open_working_room(facilitator, lab, "Gruppo orti", [me.id])
    mine, _created = services.post_message(me, room, "Chiamatemi al 333 1234567", "k-1")
    services.post_message(other, room, "Ciao a tutti")
    services.mute_user(facilitator, room, me, 15, "Toni accesi")
    services.mark_read(me, room, mine.id)
    db_session.commit()
    ids = (me.id, mine.id, room.id, working.id)

    login(client, me)
    assert client.post("/account/elimina", data={"password": DEMO_PASSWORD}).status_code == 302

    me_id, mine_id, room_id, working_id = ids
    erased = db_session.get(Message, mine_id)
    assert (erased.body, erased.body_html, erased.client_key) == ("", "", None) and erased.is_deleted
    assert db_session.scalar(sa.select(sa.func.count()).select_from(RoomMember).where(RoomMember.user_id == me_id)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(RoomRead).where(RoomRead.user_id == me_id)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(RoomMute).where(RoomMute.user_id == me_id)) == 1
    page = client.get(f"/stanze/{room_id}").get_data(as_text=True)
    assert "333 1234567" not in page and "Ciao a tutti" in page
    assert "Messaggio rimosso insieme all'account di chi l'ha scritto" in page
    assert db_session.get(Room, working_id) is not None


def test_the_export_holds_the_rooms_i_opened_or_locked(in_request, client, db_session, make_lab, make_facilitator):
    lab = make_lab()
    facilitator = make_facilitator(lab)
    room = queries.room_of(lab)
    working = services.open_working_room(facilitator, lab, "Gruppo orti")
    services.set_locked(facilitator, room, True, "Fine dell'incontro")
    db_session.commit()

    opened, locked = sorted(_export(client, facilitator)["rooms_opened_or_locked"], key=lambda r: r["room_id"] != working.id)

    assert (opened["room_id"], opened["name"], opened["locked_at"]) == (working.id, "Gruppo orti", None)
    assert opened["opened_at"] is not None
    assert (locked["room_id"], locked["opened_at"], locked["lock_reason"]) == (room.id, None, "Fine dell'incontro")
    assert locked["locked_at"] is not None
