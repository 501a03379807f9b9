"""The /rooms Socket.IO namespace through flask_socketio's test client, logged in with the Flask
test client's session cookie.

A socket handler removes the database session when it ends (it is not a request), which detaches
what a test holds: tests keep ids and load objects again with `fresh`.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.accounts.models import User, UserSession
from civiclab.core.time import utcnow
from civiclab.events.models import EventState, Registration, RegistrationState
from civiclab.extensions import socketio
from civiclab.rooms import queries, services
from civiclab.rooms.models import Message, Room, RoomKind
from tests.xss.corpus import PAYLOADS, html_dangers

NS = "/rooms"


def emit(client, event, payload):
    """Send an event asking for the acknowledgement, and return it."""
    return client.emit(event, payload, namespace=NS, callback=True)


def payload_of(event):
    # The test client keeps a "message" event's one argument as is, others' in a list.
    return event["args"] if event["name"] == "message" else event["args"][0]


def received(client, name=None):
    events = client.get_received(NS)
    return [payload_of(event) for event in events if name is None or event["name"] == name]


def names(client):
    return [event["name"] for event in client.get_received(NS)]


def spy_on_packets(monkeypatch):
    """The packets the server sends from now on (the test client keeps no connect_error data)."""
    sent = []
    original = socketio.server._send_packet

    def spy(eio_sid, pkt):
        sent.append(pkt)
        return original(eio_sid, pkt)

    monkeypatch.setattr(socketio.server, "_send_packet", spy)
    return sent


def connect_error_data(client, monkeypatch):
    sent = spy_on_packets(monkeypatch)
    client.connect(namespace=NS)
    assert not client.is_connected(NS)
    (error,) = [pkt.data for pkt in sent if pkt.packet_type == 4]  # CONNECT_ERROR
    return error["data"]


# ---- connecting ------------------------------------------------------------------------------

def test_an_anonymous_connection_is_refused_with_a_reason(connect, monkeypatch):
    client = connect()
    assert not client.is_connected(NS)
    data = connect_error_data(client, monkeypatch)
    assert data["code"] == "unauthenticated" and data["message"]


def test_a_blocked_user_is_refused_at_connect_with_the_reason(connect, make_user, db_session, monkeypatch):
    user = make_user()
    db_session.add(UserBlock(user_id=user.id, reason="Insulti ripetuti", ends_at=utcnow() + timedelta(days=3)))
    db_session.commit()
    client = connect(user)
    assert not client.is_connected(NS)
    data = connect_error_data(client, monkeypatch)
    assert data["code"] == "blocked" and data["reason"] == "Insulti ripetuti"
    assert "Insulti ripetuti" in data["message"] and data["until"]


def test_a_signed_in_user_connects(connect, make_user):
    assert connect(make_user()).is_connected(NS)


# ---- join, presence, leave -------------------------------------------------------------------

def test_join_replays_the_latest_messages_says_whether_one_may_write_and_announces_presence(
        in_request, connect, lab_room, make_user, fresh, db_session):
    room_id, _lab = lab_room
    writer, reader = make_user(display_name="Anna"), make_user(display_name="Bruno")
    for text in ("Uno", "Due"):
        services.post_message(writer, fresh(Room, room_id), text)
    db_session.commit()  # what the request boundary does
    reader_id = reader.id
    client = connect(reader)

    ack = emit(client, "join", {"room": room_id, "after": None})

    assert ack["ok"] and ack["room"] == room_id and ack["can_write"] and ack["reason"] is None
    assert not ack["locked"] and ack["replayed"] == 2 and not ack["more"]
    events = client.get_received(NS)
    messages = [payload_of(event) for event in events if event["name"] == "message"]
    assert [m["html"].strip() for m in messages] == ["<p>Uno</p>", "<p>Due</p>"]
    assert ack["last_id"] == messages[-1]["id"]
    (presence,) = [event["args"][0] for event in events if event["name"] == "presence"]
    assert presence == {"room": room_id, "users": [{"id": reader_id, "name": "Bruno"}]}


def test_presence_lists_each_user_once_and_follows_leave_and_disconnect(connect, lab_room, make_user):
    room_id, _lab = lab_room
    anna, bruno = make_user(display_name="Anna"), make_user(display_name="Bruno")
    anna_id, bruno_id = anna.id, bruno.id
    watcher = connect(anna)
    emit(watcher, "join", {"room": room_id, "after": 0})
    bruno_tab, bruno_other_tab = connect(bruno), connect(bruno)
    emit(bruno_tab, "join", {"room": room_id, "after": 0})
    emit(bruno_other_tab, "join", {"room": room_id, "after": 0})
    # The others hear of one arrival (not of Bruno's second tab); each tab gets the whole list.
    assert received(watcher, "presence") == [
        {"room": room_id, "users": [{"id": anna_id, "name": "Anna"}]},
        {"room": room_id, "joined": [{"id": bruno_id, "name": "Bruno"}]},
    ]
    both = [{"id": anna_id, "name": "Anna"}, {"id": bruno_id, "name": "Bruno"}]
    assert received(bruno_other_tab, "presence") == [{"room": room_id, "users": both}]

    assert emit(bruno_tab, "leave", {"room": room_id}) == {"ok": True, "room": room_id}
    assert received(watcher, "presence") == []  # still there in the other tab
    bruno_other_tab.disconnect(namespace=NS)
    assert received(watcher, "presence") == [{"room": room_id, "left": {"id": bruno_id}}]


def test_joining_a_room_one_may_not_read_is_refused(in_request, connect, make_lab, make_event, make_user,
                                                     make_facilitator, db_session, fresh):
    lab = make_lab()
    facilitator = make_facilitator(lab)
    facilitator_id = facilitator.id
    working = services.open_working_room(facilitator, lab, "Gruppo ristretto")
    draft = make_event(lab=lab, state=EventState.DRAFT, published_at=None)
    db_session.commit()
    room_ids = [working.id, queries.room_of(draft).id, 2**31 - 1]
    client = connect(make_user())

    for room_id in room_ids:
        ack = emit(client, "join", {"room": room_id, "after": 0})
        assert ack == {"ok": False, "error": {"code": "forbidden", "message": ack["error"]["message"]}}
        (error,) = received(client, "error")
        assert error["code"] == "forbidden" and error["event"] == "join" and error["room"] == room_id
    # Nothing of those rooms reaches the refused client.
    services.post_message(fresh(User, facilitator_id), fresh(Room, room_ids[0]), "Solo per i membri")
    assert received(client, "message") == []


def test_join_says_when_one_may_not_write_and_why(connect, make_event, make_user):
    event = make_event()
    room_id = queries.room_of(event).id
    ack = emit(connect(make_user()), "join", {"room": room_id, "after": 0})
    assert ack["ok"] and not ack["can_write"] and ack["reason"]["code"] == "forbidden"


# ---- messages ------------------------------------------------------------------------------

def test_a_message_is_stored_then_broadcast_and_acknowledged_with_its_stored_id(
        connect, lab_room, make_user, fresh):
    room_id, _lab = lab_room
    sender, other = connect(make_user(display_name="Anna")), connect(make_user())
    for client in (sender, other):
        emit(client, "join", {"room": room_id, "after": 0})
        client.get_received(NS)

    ack = emit(sender, "message", {"room": room_id, "body": "Ciao **a tutti**", "key": "k-1"})

    assert ack["ok"] and ack["created"]
    stored = fresh(Message, ack["message"]["id"])
    assert stored.room_id == room_id and stored.body == "Ciao **a tutti**" and stored.client_key == "k-1"
    assert ack["message"]["html"].strip() == "<p>Ciao <strong>a tutti</strong></p>"
    assert ack["message"]["author"]["name"] == "Anna" and ack["message"]["key"] == "k-1"
    assert received(other, "message") == [ack["message"]]


def test_a_message_without_joining_still_checks_permission(connect, make_event, make_user):
    room_id = queries.room_of(make_event()).id
    ack = emit(connect(make_user()), "message", {"room": room_id, "body": "Posso?", "key": "a"})
    assert ack["error"]["code"] == "forbidden"


def test_a_muted_users_message_is_refused_with_muted(in_request, connect, lab_room, make_user, make_facilitator,
                                                      fresh, db_session):
    room_id, lab = lab_room
    facilitator, user = make_facilitator(lab), make_user()
    services.mute_user(facilitator, fresh(Room, room_id), user, 10, "Toni offensivi")
    db_session.commit()
    client = connect(user)

    ack = emit(client, "message", {"room": room_id, "body": "Ancora io", "key": "m-1"})

    assert ack["ok"] is False and ack["error"]["code"] == "muted"
    assert received(client, "error")[0]["code"] == "muted"
    assert db_session.scalar(sa.select(sa.func.count(Message.id)).where(Message.room_id == room_id)) == 0


def test_a_locked_room_refuses_messages_and_says_so_on_join(in_request, connect, lab_room, make_user,
                                                           make_facilitator, fresh, db_session):
    room_id, lab = lab_room
    services.set_locked(make_facilitator(lab), fresh(Room, room_id), True, "Fine dell'incontro")
    db_session.commit()
    client = connect(make_user())

    join = emit(client, "join", {"room": room_id, "after": 0})
    assert join["locked"] and join["lock_reason"] == "Fine dell'incontro" and not join["can_write"]
    assert join["reason"]["code"] == "locked"
    ack = emit(client, "message", {"room": room_id, "body": "Ci sono?", "key": "l-1"})
    assert ack["error"]["code"] == "locked"


def test_messages_beyond_the_rate_limit_are_refused_with_a_clear_error_but_resends_are_answered(
        app, connect, lab_room, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ROOM_MESSAGE", "3 per minute")
    room_id, _lab = lab_room
    user = make_user()
    first_tab, second_tab = connect(user), connect(user)
    acks = [emit(first_tab, "message", {"room": room_id, "body": f"Messaggio {n}", "key": f"r-{n}"})
            for n in range(3)]
    assert all(ack["ok"] for ack in acks)

    refused = emit(second_tab, "message", {"room": room_id, "body": "Uno di troppo", "key": "r-3"})

    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited"
    (error,) = received(second_tab, "error")
    assert error["code"] == "rate_limited" and error["event"] == "message" and error["message"]
    resend = emit(second_tab, "message", {"room": room_id, "body": "Messaggio 0", "key": "r-0"})
    assert resend["ok"] and resend["message"]["id"] == acks[0]["message"]["id"] and not resend["created"]


def test_the_room_rate_limit_holds_when_the_http_limiter_is_off(app, connect, lab_room, make_user):
    assert app.config["RATELIMIT_ENABLED"] is False
    room_id, _lab = lab_room
    client = connect(make_user())
    acks = [emit(client, "message", {"room": room_id, "body": f"Raffica {n}", "key": f"b-{n}"}) for n in range(11)]
    assert [ack["ok"] for ack in acks] == [True] * 10 + [False]  # "10 per 10 seconds"


def test_xss_payloads_are_stored_inert(app, connect, lab_room, make_user, fresh, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ROOM_MESSAGE", "")
    room_id, _lab = lab_room
    client = connect(make_user())
    stored = 0
    for n, payload in enumerate(PAYLOADS):
        ack = emit(client, "message", {"room": room_id, "body": payload, "key": f"x-{n}"})
        if not ack["ok"]:  # blank once stripped, or a NUL: refused as invalid, never a crash
            assert ack["error"]["code"] == "invalid", payload
            continue
        stored += 1
        body_html = fresh(Message, ack["message"]["id"]).body_html
        # No element, event handler or URL a browser would run; a raw "<script" neither (the
        # text "javascript:" may stay, escaped, as text).
        assert html_dangers(body_html) == [], (payload, body_html)
        assert ack["message"]["html"] == body_html
    assert stored > len(PAYLOADS) * 0.9


def test_a_resend_with_the_same_key_stores_once_acks_the_same_id_and_broadcasts_once(
        connect, lab_room, make_user, db_session):
    room_id, _lab = lab_room
    sender, other = connect(make_user()), connect(make_user())
    emit(other, "join", {"room": room_id, "after": 0})
    other.get_received(NS)
    payload = {"room": room_id, "body": "Arrivato?", "key": "same-key"}

    first = emit(sender, "message", payload)
    again = emit(sender, "message", payload)

    assert first["ok"] and again["ok"] and first["created"] and not again["created"]
    assert again["message"] == first["message"]
    assert db_session.scalar(sa.select(sa.func.count(Message.id)).where(Message.room_id == room_id)) == 1
    assert len(received(other, "message")) == 1


def test_a_reconnect_with_the_last_id_receives_exactly_the_missed_messages(
        in_request, connect, lab_room, make_user, fresh, db_session):
    room_id, _lab = lab_room
    reader, writer = make_user(), make_user()
    writer_id = writer.id
    client = connect(reader)
    emit(client, "join", {"room": room_id, "after": 0})
    seen = emit(connect(writer), "message", {"room": room_id, "body": "Prima", "key": "p-1"})["message"]["id"]
    assert [m["id"] for m in received(client, "message")] == [seen]
    client.disconnect(namespace=NS)  # the connection drops; three messages go by
    missed = [services.post_message(fresh(User, writer_id), fresh(Room, room_id), f"Perso {n}")[0].id
              for n in range(3)]
    db_session.commit()

    client.connect(namespace=NS)
    ack = emit(client, "join", {"room": room_id, "after": seen})

    events = client.get_received(NS)
    assert [payload_of(event)["id"] for event in events if event["name"] == "message"] == missed
    assert ack["replayed"] == 3 and ack["last_id"] == missed[-1] and not ack["more"]


def test_a_moderators_delete_reaches_connected_clients(in_request, connect, lab_room, make_user,
                                                       make_facilitator, fresh, db_session):
    room_id, lab = lab_room
    facilitator_id = make_facilitator(lab).id
    author, watcher = connect(make_user()), connect(make_user())
    for client in (author, watcher):
        emit(client, "join", {"room": room_id, "after": 0})
    message_id = emit(author, "message", {"room": room_id, "body": "Insulto", "key": "d-1"})["message"]["id"]
    watcher.get_received(NS)

    services.delete_message(fresh(User, facilitator_id), fresh(Message, message_id), "Offensivo")
    db_session.commit()

    assert received(watcher, "message_deleted") == [{"room": room_id, "id": message_id}]
    # A later joiner gets the placeholder, never the text.
    late = connect(make_user())
    emit(late, "join", {"room": room_id, "after": 0})
    (replayed,) = received(late, "message")
    assert replayed["deleted"] and replayed["html"] == ""


def test_a_user_blocked_site_wide_is_told_and_disconnected_at_once(in_request, connect, lab_room, make_user, fresh):
    from civiclab.moderation.services import block_user

    room_id, _lab = lab_room
    admin_id = make_user(is_admin=True).id  # blocks anyone (see moderation/permissions)
    user = make_user()
    user_id = user.id
    first_tab, second_tab = connect(user), connect(user)
    watcher_user = make_user()
    watcher_id = watcher_user.id
    watcher = connect(watcher_user)
    for client in (first_tab, watcher):
        emit(client, "join", {"room": room_id, "after": 0})
    watcher.get_received(NS)

    block_user(fresh(User, admin_id), fresh(User, user_id), "Spam")

    for client in (first_tab, second_tab):
        assert not client.is_connected(NS)
        errors = [event["args"][0] for event in client.queue if event["name"] == "error"]
        assert errors and errors[-1]["code"] == "blocked" and errors[-1]["reason"] == "Spam"
    assert received(watcher, "presence") == [{"room": room_id, "left": {"id": user_id}}]


def test_a_block_or_a_log_out_everywhere_since_connect_counts_on_the_next_event(
        connect, lab_room, make_user, db_session, fresh):
    room_id, _lab = lab_room
    blocked, logged_out = make_user(), make_user()
    blocked_id, logged_out_id = blocked.id, logged_out.id
    blocked_client, logged_out_client = connect(blocked), connect(logged_out)
    db_session.add(UserBlock(user_id=blocked_id, reason="Spam"))  # no signal: only the check
    db_session.execute(sa.update(UserSession).where(UserSession.user_id == logged_out_id)
                       .values(revoked_at=utcnow()))  # no signal: only the check
    db_session.commit()

    ack = emit(blocked_client, "message", {"room": room_id, "body": "Ciao", "key": "z"})
    assert ack["error"]["code"] == "blocked" and not blocked_client.is_connected(NS)
    ack = emit(logged_out_client, "join", {"room": room_id, "after": 0})
    assert ack["error"]["code"] == "unauthenticated" and not logged_out_client.is_connected(NS)


# ---- typing and read markers ---------------------------------------------------------------

def test_typing_reaches_the_others_not_the_sender_and_is_throttled(connect, lab_room, make_user):
    room_id, _lab = lab_room
    typist = make_user(display_name="Carla")
    typist_id = typist.id
    sender, other = connect(typist), connect(make_user())
    for client in (sender, other):
        emit(client, "join", {"room": room_id, "after": 0})
        client.get_received(NS)

    assert emit(sender, "typing", {"room": room_id}) == {"ok": True, "sent": True}
    assert emit(sender, "typing", {"room": room_id}) == {"ok": True, "sent": False}

    assert received(other, "typing") == [{"room": room_id, "user": {"id": typist_id, "name": "Carla"}}]
    assert received(sender, "typing") == []


def test_typing_of_who_may_not_write_is_not_shown(connect, make_event, make_user):
    room_id = queries.room_of(make_event()).id
    reader, other = connect(make_user()), connect(make_user())
    emit(other, "join", {"room": room_id, "after": 0})
    other.get_received(NS)
    assert emit(reader, "typing", {"room": room_id})["error"]["code"] == "forbidden"
    assert received(other, "typing") == []


def test_read_moves_the_marker_and_the_unread_count(in_request, connect, lab_room, make_user, fresh, db_session):
    room_id, _lab = lab_room
    reader, writer = make_user(), make_user()
    reader_id = reader.id
    ids = [services.post_message(writer, fresh(Room, room_id), text)[0].id for text in ("Uno", "Due")]
    db_session.commit()
    client = connect(reader)

    assert emit(client, "read", {"room": room_id, "last_id": ids[0]}) == {"ok": True, "room": room_id,
                                                                          "last_id": ids[0]}
    assert queries.unread_counts(fresh(User, reader_id), [room_id]) == {room_id: 1}
    ack = emit(client, "read", {"room": room_id, "last_id": 10**12})  # never past the newest
    assert ack["last_id"] == ids[1]
    assert queries.unread_counts(fresh(User, reader_id), [room_id]) == {}


# ---- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("event, payload", [
    ("join", None), ("join", "1"), ("join", [1]), ("join", {"room": "1"}), ("join", {"room": True}),
    ("join", {"room": 0}), ("join", {"room": -4}), ("join", {"room": 1.5}), ("join", {"room": 2**70}),
    ("join", {"room": "ROOM", "after": -1}), ("join", {"room": None}),
    ("leave", {}), ("typing", {"room": {"$gt": 1}}), ("read", {"room": "x", "last_id": 1}),
    ("message", {"room": "x", "body": "Ciao"}), ("message", 42),
])
def test_bad_payloads_are_refused_with_an_error_never_a_crash(connect, make_user, event, payload):
    client = connect(make_user())
    ack = emit(client, event, payload)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    assert received(client, "error")[0]["code"] == "invalid"
    assert client.is_connected(NS)


@pytest.mark.parametrize("payload, code", [
    ({"after": -1}, "invalid"), ({"after": "3"}, "invalid"), ({"after": True}, "invalid"),
])
def test_a_bad_last_id_on_join_is_refused(connect, lab_room, make_user, payload, code):
    room_id, _lab = lab_room
    ack = emit(connect(make_user()), "join", {"room": room_id, **payload})
    assert ack["error"]["code"] == code


@pytest.mark.parametrize("body, key", [
    (None, "k"), (123, "k"), ("", "k"), ("   ", "k"), ("\u200b\u200b", "k"), ("x" * 2001, "k"),
    ("ciao\x00", "k"), ("Ciao", 5), ("Ciao", "k" * 65), ("Ciao", "a\nb"), ({"a": 1}, "k"),
])
def test_bad_messages_are_refused_as_invalid(connect, lab_room, make_user, db_session, body, key):
    room_id, _lab = lab_room
    client = connect(make_user())
    ack = emit(client, "message", {"room": room_id, "body": body, "key": key})
    assert ack["error"]["code"] == "invalid" and ack["error"]["message"]
    assert db_session.scalar(sa.select(sa.func.count(Message.id)).where(Message.room_id == room_id)) == 0


def test_an_unexpected_error_is_an_error_event_not_a_crash(connect, lab_room, make_user, monkeypatch):
    room_id, _lab = lab_room
    client = connect(make_user())

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "post_checked_message", broken)
    ack = emit(client, "message", {"room": room_id, "body": "Ciao", "key": "e"})
    assert ack["error"]["code"] == "internal" and client.is_connected(NS)
    assert emit(client, "join", {"room": room_id, "after": 0})["ok"]


def test_an_event_rooms_confirmed_registrant_writes(connect, make_event, make_user, db_session):
    event = make_event()
    user = make_user()
    db_session.add(Registration(event_id=event.id, user_id=user.id, participant_type=user.participant_type,
                                state=RegistrationState.CONFIRMED))
    db_session.commit()
    room = queries.room_of(event)
    assert room.kind is RoomKind.EVENT
    ack = emit(connect(user), "message", {"room": room.id, "body": "Ci sarò", "key": "e-1"})
    assert ack["ok"], ack


def test_nothing_is_broadcast_before_the_commit_and_a_rolled_back_message_never(
        in_request, connect, lab_room, make_user, fresh, db_session):
    room_id, _lab = lab_room
    writer_id = make_user().id
    watcher = connect(make_user())
    emit(watcher, "join", {"room": room_id, "after": 0})
    watcher.get_received(NS)

    services.post_message(fresh(User, writer_id), queries.room_by_id(room_id), "Mai salvato")
    assert received(watcher, "message") == []  # stored, not committed: nobody sees it yet
    db_session.rollback()
    assert received(watcher, "message") == []

    services.post_message(fresh(User, writer_id), queries.room_by_id(room_id), "Salvato")
    db_session.commit()
    assert [m["html"] for m in received(watcher, "message")] == ["<p>Salvato</p>\n"]
