"""Who reads a room, said on its page and chosen by facilitators for an event's room; reporting a
message to the moderators, by form and by socket."""
import sqlalchemy as sa

from civiclab.accounts.models import User
from civiclab.events.models import Registration, RegistrationState
from civiclab.moderation.models import ModerationAction, Report
from civiclab.rooms import queries, services
from civiclab.rooms.models import Message, Room
from tests.conftest import login, text_of
from tests.unit.rooms.test_sockets import emit


def page_url(room, **args):
    query = "".join(f"&{key}={value}" for key, value in args.items()).lstrip("&")
    return f"/stanze/{room.id}" + (f"?{query}" if query else "")


def page_url_of(room_id):
    return f"/stanze/{room_id}"


def register(db_session, event, user, state=RegistrationState.CONFIRMED):
    db_session.add(Registration(event=event, user=user, seats=1, state=state, participant_type=user.participant_type))
    db_session.commit()


def participants_only(db_session, room):
    room.participants_only = True
    db_session.commit()
    return room


# ---- who reads, said on the page -----------------------------------------------------------

def test_each_room_says_who_can_read_it(in_request, client, db_session, make_lab, make_event, make_facilitator):
    lab = make_lab()
    facilitator = make_facilitator(lab)
    event_room = queries.room_of(make_event(lab=lab))
    working = services.open_working_room(facilitator, lab, "Gruppo ristretto")
    db_session.commit()

    assert "Chi legge: Chiunque può leggere questa stanza, anche senza account. Scrive chi ha un account" \
        in text_of(client.get(page_url(queries.room_of(lab))))
    assert "Chiunque può leggere questa stanza, anche senza account. Scrivono gli iscritti confermati" \
        in text_of(client.get(page_url(event_room)))
    participants_only(db_session, event_room)
    login(client, facilitator)
    assert "Solo chi è iscritto all'evento (anche in lista d'attesa) e chi lo organizza può leggere" \
        in text_of(client.get(page_url(event_room)))
    assert "Solo i membri di questa stanza di lavoro" in text_of(client.get(page_url(working)))


# ---- participants-only event rooms ---------------------------------------------------------

def test_a_facilitator_makes_the_events_room_participants_only_and_opens_it_again(
        client, db_session, make_event, make_facilitator, make_user):
    event = make_event()
    room = queries.room_of(event)
    participant = make_user()
    register(db_session, event, participant)
    login(client, participant)
    assert client.post(f"/stanze/{room.id}/lettori", data={"readers": "iscritti"}).status_code == 403
    login(client, make_facilitator(event.lab))
    assert 'name="readers"' in client.get(page_url(room)).text

    response = client.post(f"/stanze/{room.id}/lettori", data={"readers": "iscritti"}, follow_redirects=True)

    assert "Ora solo chi è iscritto all'evento legge la stanza." in text_of(response)
    assert db_session.get(Room, room.id).participants_only
    assert client.post(f"/stanze/{room.id}/lettori", data={"readers": "nessuno"}).status_code == 422
    client.post(f"/stanze/{room.id}/lettori", data={"readers": "tutti"})
    db_session.expire_all()
    assert not db_session.get(Room, room.id).participants_only


def test_only_a_rooms_moderators_choose_its_readers_and_only_for_event_rooms(client, make_lab, make_facilitator):
    lab = make_lab()
    login(client, make_facilitator(lab))
    assert client.post(f"/stanze/{queries.room_of(lab).id}/lettori", data={"readers": "iscritti"}).status_code == 403


def test_a_participants_only_room_is_hidden_from_visitors_and_others_on_every_path(
        in_request, client, db_session, make_event, make_user, make_facilitator, connect):
    event = make_event()
    room = participants_only(db_session, queries.room_of(event))
    confirmed, waiting, stranger = make_user(), make_user(), make_user()
    register(db_session, event, confirmed)
    register(db_session, event, waiting, RegistrationState.WAITING)
    message, _created = services.post_message(confirmed, room, "Solo per chi partecipa")
    facilitator = make_facilitator(event.lab)
    db_session.commit()
    event_page = f"/eventi/{event.id}"
    room_id, message_id = room.id, message.id
    reader_ids = [confirmed.id, waiting.id, facilitator.id]
    waiting_id = waiting.id

    # Anonymous visitors: no page, no older pages, no link from the event's page.
    assert client.get(page_url_of(room_id)).status_code == 404
    assert client.get(page_url_of(room_id) + f"?prima={message_id + 1}").status_code == 404
    assert f"/stanze/{room_id}" not in client.get(event_page).text
    # A signed-in stranger: the same, and the socket refuses to join or to replay the history.
    login(client, stranger)
    assert client.get(page_url_of(room_id)).status_code == 404
    ack = emit(connect(stranger), "join", {"room": room_id, "after": 0})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    # Participants (confirmed or waiting) and who organises the event read it.
    for reader_id in reader_ids:  # (a socket event detaches what the test held: loaded again)
        login(client, db_session.get(User, reader_id))
        assert "Solo per chi partecipa" in client.get(page_url_of(room_id)).text
        assert f"/stanze/{room_id}" in client.get(event_page).text
    join = emit(connect(db_session.get(User, waiting_id)), "join", {"room": room_id, "after": 0})
    assert join["ok"] and join["replayed"] == 1 and not join["can_write"]


def test_the_unread_count_skips_a_participants_only_room_once_the_registration_is_cancelled(
        in_request, client, db_session, make_event, make_user):
    event = make_event()
    room = queries.room_of(event)
    me, other = make_user(), make_user()
    register(db_session, event, me)
    register(db_session, event, other)
    services.post_message(me, room, "Ci sono")
    services.post_message(other, room, "Anche io")
    participants_only(db_session, room)
    login(client, me)
    assert "Anche io" not in client.get("/stanze").text and "1" in text_of(client.get("/stanze"))

    db_session.execute(sa.update(Registration).where(Registration.user_id == me.id)
                       .values(state=RegistrationState.CANCELLED))
    db_session.commit()

    page = client.get("/stanze").text
    assert f"/stanze/{room.id}" not in page
    assert client.get(page_url(room)).status_code == 404


# ---- reporting a message -------------------------------------------------------------------

def reports_of(db_session, message_id):
    return db_session.scalars(sa.select(Report).where(Report.room_message_id == message_id)).all()


def test_a_reader_reports_a_message_by_form_and_a_second_submission_stores_nothing(
        in_request, client, db_session, make_lab, make_user):
    room = queries.room_of(make_lab())
    author, reader = make_user(), make_user()
    message, _created = services.post_message(author, room, "Un insulto")
    db_session.commit()
    login(client, reader)
    page = client.get(page_url(room)).text
    assert f"/stanze/{room.id}/messaggi/{message.id}/segnala" in page

    url = f"/stanze/{room.id}/messaggi/{message.id}/segnala"
    first = client.post(url, data={"reason": "Insulta un'altra persona"}, follow_redirects=True)
    again = client.post(url, data={"reason": "Insulta un'altra persona"}, follow_redirects=True)

    assert "la segnalazione è arrivata ai moderatori" in text_of(first)
    assert again.status_code == 200 and "Hai già segnalato questo messaggio" in text_of(again)
    (report,) = reports_of(db_session, message.id)
    assert report.reporter_id == reader.id and report.reason == "Insulta un'altra persona"


def test_a_report_needs_a_reason_and_a_readable_room_and_not_ones_own_message(
        in_request, client, db_session, make_lab, make_user, make_facilitator):
    lab = make_lab()
    facilitator, author, stranger = make_facilitator(lab), make_user(), make_user()
    working = services.open_working_room(facilitator, lab, "Gruppo", [author.id])
    hidden, _created = services.post_message(author, working, "Nel gruppo")
    room = queries.room_of(lab)
    own, _created = services.post_message(stranger, room, "Il mio")
    db_session.commit()

    assert client.post(f"/stanze/{room.id}/messaggi/{own.id}/segnala", data={"reason": "x"}).status_code == 302
    assert "/accedi" in client.post(f"/stanze/{room.id}/messaggi/{own.id}/segnala", data={"reason": "x"}).location
    login(client, stranger)
    assert client.post(f"/stanze/{working.id}/messaggi/{hidden.id}/segnala", data={"reason": "x"}).status_code == 404
    # A message of another room, named through a room one reads: not found either.
    assert client.post(f"/stanze/{room.id}/messaggi/{hidden.id}/segnala", data={"reason": "x"}).status_code == 404
    assert client.post(f"/stanze/{room.id}/messaggi/{own.id}/segnala", data={"reason": "x"}).status_code == 422
    assert client.post(f"/stanze/{room.id}/messaggi/{own.id + 1000}/segnala", data={"reason": "x"}).status_code == 404
    other, _created = services.post_message(author, room, "Altro")
    db_session.commit()
    assert client.post(f"/stanze/{room.id}/messaggi/{other.id}/segnala", data={"reason": "  "}).status_code == 422
    assert reports_of(db_session, hidden.id) == reports_of(db_session, own.id) == reports_of(db_session, other.id) == []


def test_a_report_by_socket_is_acknowledged_once_and_refused_where_one_cannot_read(
        in_request, connect, db_session, make_lab, make_user, make_facilitator):
    lab = make_lab()
    facilitator, author, reader = make_facilitator(lab), make_user(), make_user()
    room = queries.room_of(lab)
    message, _created = services.post_message(author, room, "Spam spam")
    working = services.open_working_room(facilitator, lab, "Gruppo", [author.id])
    hidden, _created = services.post_message(author, working, "Nel gruppo")
    db_session.commit()
    ids = (room.id, message.id, working.id, hidden.id)
    client = connect(reader)
    room_id, message_id, working_id, hidden_id = ids

    ack = emit(client, "report", {"room": room_id, "id": message_id, "reason": "Pubblicità"})
    again = emit(client, "report", {"room": room_id, "id": message_id, "reason": "Pubblicità"})
    elsewhere = emit(client, "report", {"room": working_id, "id": hidden_id, "reason": "?"})
    mismatched = emit(client, "report", {"room": room_id, "id": hidden_id, "reason": "?"})

    assert ack["ok"] and ack["id"] == message_id and ack["message"]
    assert again["error"]["code"] == "already_reported"
    assert elsewhere["error"]["code"] == "forbidden" and mismatched["error"]["code"] == "not_found"
    assert len(reports_of(db_session, message_id)) == 1 and reports_of(db_session, hidden_id) == []


def test_a_reported_message_reaches_its_rooms_moderators_who_uphold_and_delete_it(
        in_request, client, db_session, make_lab, make_city, make_user, make_facilitator):
    lab = make_lab()
    facilitator, elsewhere = make_facilitator(lab), make_facilitator(make_lab(city=make_city()))
    room = queries.room_of(lab)
    message, _created = services.post_message(make_user(display_name="Autore"), room, "Chiamami al 333 000")
    for n in range(3):
        services.report_message(make_user(), message, f"Dati personali {n}")
    db_session.commit()
    login(client, elsewhere)
    assert "Chiamami al 333 000" not in client.get("/moderazione/segnalazioni").text
    login(client, facilitator)
    queue = client.get("/moderazione/segnalazioni")
    assert "Messaggio di Autore" in text_of(queue) and "Chiamami al 333 000" in queue.text
    assert "Dati personali 2" in queue.text and f"/stanze/{room.id}#messaggio-{message.id}" in queue.text
    assert db_session.get(Message, message.id).deleted_at is None  # three reports queue, hide nothing

    response = client.post(f"/moderazione/segnalazioni/messaggio/{message.id}", data={
        f"messaggio-{message.id}-outcome": "confermate", f"messaggio-{message.id}-reason": "Numero di telefono"})

    assert response.status_code == 302
    db_session.expire_all()
    deleted = db_session.get(Message, message.id)
    assert deleted.is_deleted and deleted.deleted_by_id == facilitator.id
    assert all(report.upheld for report in reports_of(db_session, message.id))
    entry = db_session.scalars(sa.select(ModerationAction).where(ModerationAction.room_message_id == message.id)).one()
    assert entry.action == "reports_upheld" and entry.room_id == room.id
    assert "Messaggio eliminato dai moderatori" in client.get(page_url(room)).text
    # The entry carries the room's city: that city's moderators read it in the log, others do not.
    assert entry.city_id == lab.city_id
    assert "Numero di telefono" in client.get("/moderazione/registro").text
    login(client, elsewhere)
    assert "Numero di telefono" not in client.get("/moderazione/registro").text
