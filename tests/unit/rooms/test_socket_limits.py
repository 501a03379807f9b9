"""What a client sends is checked before anything else, and the rooms' limits hold per user: one
message counter shared by the socket and the form, counted atomically; typing throttled per user;
a cap on the sockets one user holds."""
import threading

import pytest
import sqlalchemy as sa

from civiclab.rooms import limits
from civiclab.rooms.models import Message
from civiclab.rooms.presence import MemoryPresence
from tests.conftest import login
from tests.unit.rooms.conftest import NS
from tests.unit.rooms.test_sockets import connect_error_data, emit, received


def stored_in(db_session, room_id):
    return db_session.scalar(sa.select(sa.func.count(Message.id)).where(Message.room_id == room_id))


# ---- payloads ------------------------------------------------------------------------------

BAD_PAYLOADS = [
    ("message", {"body": "ciao \ud800 a tutti", "key": "s-1"}, "body"),
    ("message", {"body": "ciao", "key": "k\ud83d"}, "key"),
    ("message", {"body": "ciao", "key": "k\x00"}, "key"),
    ("message", {"body": "ciao\x00", "key": "n-1"}, "body"),
    ("message", {"body": ["ciao"], "key": "t-1"}, "body"),
    ("message", {"body": "ciao", "key": 12}, "key"),
    ("message", {"body": "x" * 2001, "key": "l-1"}, "body"),
    ("message", {"body": "ciao", "key": "k" * 65}, "key"),
    ("join", {"after": "0"}, "after"),
    ("join", {"after": True}, "after"),
    ("read", {"last_id": -1}, "last_id"),
    ("read", {"last_id": 2**64}, "last_id"),
    ("report", {"id": "1", "reason": "spam"}, "id"),
    ("report", {"id": 1, "reason": "spam \udfff"}, "reason"),
]


@pytest.mark.parametrize(("event", "fields", "field"), BAD_PAYLOADS)
def test_a_malformed_payload_is_refused_as_invalid_naming_the_field_and_stores_nothing(
        connect, lab_room, make_user, db_session, event, fields, field):
    room_id, _lab = lab_room
    client = connect(make_user())

    ack = emit(client, event, {"room": room_id, **fields})

    assert ack["ok"] is False
    assert ack["error"]["code"] == "invalid" and ack["error"]["field"] == field and ack["error"]["message"]
    (error,) = received(client, "error")
    assert error["code"] == "invalid" and error["event"] == event and error["room"] == room_id
    assert stored_in(db_session, room_id) == 0


@pytest.mark.parametrize("payload", [None, "room", [1], {"room": "1"}, {"room": 0}, {"room": 2**63}])
def test_a_payload_without_a_valid_room_is_refused_as_invalid(connect, make_user, payload):
    client = connect(make_user())
    for event in ("join", "leave", "message", "typing", "read", "report"):
        ack = emit(client, event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", (event, ack)


def test_a_nul_in_the_key_once_over_the_rate_limit_is_invalid_not_an_internal_error(
        app, connect, lab_room, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ROOM_MESSAGE", "1 per minute")
    room_id, _lab = lab_room
    client = connect(make_user())
    assert emit(client, "message", {"room": room_id, "body": "Uno", "key": "k-1"})["ok"]

    ack = emit(client, "message", {"room": room_id, "body": "Due", "key": "k\x00-2"})

    assert ack["error"]["code"] == "invalid" and ack["error"]["field"] == "key"


# ---- one atomic message limit, shared by the socket and the form --------------------------

def test_a_burst_of_concurrent_messages_takes_at_most_the_limit(app, make_user):
    user_id = make_user().id
    results = []
    start = threading.Barrier(30)

    def send():
        with app.app_context():
            start.wait()
            results.append(limits.take_message_slot(user_id))

    threads = [threading.Thread(target=send) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 10  # "10 per 10 seconds"


def test_a_burst_over_the_socket_stores_at_most_the_limit(connect, lab_room, make_user, db_session):
    room_id, _lab = lab_room
    client = connect(make_user())
    acks = [emit(client, "message", {"room": room_id, "body": f"Raffica {n}", "key": f"b-{n}"}) for n in range(18)]
    assert [ack["ok"] for ack in acks].count(True) == 10
    assert {ack["error"]["code"] for ack in acks if not ack["ok"]} == {"rate_limited"}
    assert stored_in(db_session, room_id) == 10


def test_the_form_without_javascript_and_the_socket_share_one_limit(app, connect, lab_room, make_user, db_session):
    room_id, _lab = lab_room
    user = make_user()
    http = app.test_client()
    login(http, user)
    socket = connect(user)
    for n in range(6):
        assert emit(socket, "message", {"room": room_id, "body": f"Dal socket {n}", "key": f"s-{n}"})["ok"]

    statuses = [http.post(f"/stanze/{room_id}/messaggi", data={"body": f"Dal modulo {n}", "key": f"f-{n}"}).status_code
                for n in range(30)]

    assert statuses[:4] == [302] * 4 and set(statuses[4:]) == {429}
    refused = http.post(f"/stanze/{room_id}/messaggi", data={"body": "Ancora", "key": "f-x"})
    assert "Stai scrivendo troppo in fretta" in refused.get_data(as_text=True)
    assert emit(socket, "message", {"room": room_id, "body": "E ora?", "key": "s-x"})["error"]["code"] == "rate_limited"
    assert stored_in(db_session, room_id) == 10
    # A resend of a stored message is answered, never limited.
    assert http.post(f"/stanze/{room_id}/messaggi", data={"body": "Dal modulo 0", "key": "f-0"}).status_code == 302


# ---- typing, per user ---------------------------------------------------------------------

def test_typing_from_ten_sockets_of_one_user_reaches_the_others_once(connect, lab_room, make_user):
    room_id, _lab = lab_room
    watcher = connect(make_user())
    emit(watcher, "join", {"room": room_id, "after": 0})
    typist = make_user()
    tabs = [connect(typist) for _ in range(10)]
    watcher.get_received(NS)

    acks = [emit(tab, "typing", {"room": room_id}) for tab in tabs for _ in range(3)]

    assert [ack["sent"] for ack in acks].count(True) == 1
    assert len(received(watcher, "typing")) == 1


# ---- sockets per user ---------------------------------------------------------------------

def test_the_eleventh_socket_of_one_user_is_refused_with_a_reason(app, connect, make_user, monkeypatch):
    assert app.config["ROOMS_MAX_SOCKETS_PER_USER"] == 10
    user = make_user()
    tabs = [connect(user) for _ in range(10)]
    assert all(tab.is_connected(NS) for tab in tabs)
    assert connect(make_user()).is_connected(NS)  # another user is not affected

    eleventh = connect(user)
    data = connect_error_data(eleventh, monkeypatch)

    assert data["code"] == "too_many_connections" and data["message"]
    tabs[0].disconnect(namespace=NS)
    assert connect(user).is_connected(NS)  # a closed tab frees its place


def test_the_memory_store_counts_sockets_per_user():
    store = MemoryPresence()
    assert all(store.connect(f"sid-{n}", 1, "Anna", max_sids=2) is expected
               for n, expected in enumerate([True, True, False]))
    assert store.connect("other", 2, "Bruno", max_sids=2)
    store.disconnect("sid-0")
    assert store.connect("sid-3", 1, "Anna", max_sids=2)


# ---- closing a user's sockets (for log-out and revoked sessions) --------------------------

def test_disconnect_user_sessions_closes_all_or_one_sessions_sockets(app, db_session, make_user):
    from civiclab.extensions import socketio
    from civiclab.rooms.sockets import disconnect_user_sessions

    user_id, other_id = make_user().id, make_user().id

    def socket_of(who):
        """A socket opened under a new sign-in session of `who`; returns it and the session's id."""
        from civiclab.accounts.models import User, UserSession

        http = app.test_client()
        login(http, db_session.get(User, who))
        session_id = db_session.scalar(sa.select(sa.func.max(UserSession.id)).where(UserSession.user_id == who))
        return socketio.test_client(app, namespace=NS, flask_test_client=http), session_id

    (phone, phone_session), (laptop, _), (bystander, _) = socket_of(user_id), socket_of(user_id), socket_of(other_id)
    with app.test_request_context():
        assert disconnect_user_sessions(user_id, session_id=phone_session) == 1
        assert (phone.is_connected(NS), laptop.is_connected(NS)) == (False, True)
        assert disconnect_user_sessions(user_id) == 1
    assert not laptop.is_connected(NS) and bystander.is_connected(NS)
    bystander.disconnect(namespace=NS)
