"""Review probes of the rooms: bad input is never a 500 or a crash, who may not read or moderate a
room is refused over HTTP and the socket, unread counts never count a room one may not read, and
every room write is rate limited. (CSRF on every POST: test_codesign_csrf covers all addresses.)"""
import pytest

from civiclab.events.models import EventState
from civiclab.extensions import limiter
from civiclab.places.models import LabFacilitator
from civiclab.rooms import queries, services
from civiclab.rooms.models import Room
from tests.conftest import login
from tests.unit.core.helpers import post_urls
from tests.unit.rooms.test_sockets import emit

HUGE = 99999999999999999999


@pytest.fixture
def room_setup(make_lab, make_user, make_facilitator, db_session):
    lab = make_lab()
    facilitator = make_facilitator(lab)
    room = queries.room_of(lab)
    message, _created = services.post_message(facilitator, room, "Ciao a tutti")
    db_session.commit()
    return lab, room.id, message.id, facilitator


@pytest.mark.parametrize("path", [
    "/stanze/{huge}", "/stanze/0", "/stanze/{room}?prima=junk", "/stanze/{room}?prima=-5",
    "/stanze/{room}?prima={huge}", "/stanze/{room}?prima=1e9", "/stanze",
    "/gestione/laboratori/{huge}/stanze/nuova", "/stanze/{room}/messaggi", "/stanze/{room}/chiudi",
])
def test_bad_get_requests_are_never_a_500(client, room_setup, make_user, path):
    _lab, room_id, _message_id, facilitator = room_setup
    login(client, facilitator)
    status = client.get(path.format(huge=HUGE, room=room_id)).status_code
    assert status in (200, 404, 405)


@pytest.mark.parametrize("path, data", [
    ("/stanze/{huge}/messaggi", {"body": "x"}),
    ("/stanze/{room}/messaggi", {}),
    ("/stanze/{room}/messaggi", {"body": "x" * 100_000, "key": "k" * 1000}),
    ("/stanze/{room}/messaggi", {"body": "ciao", "key": "a\nb"}),
    ("/stanze/{room}/messaggi", {"body": ["a", "b"], "key": ["x", "y"]}),
    ("/stanze/{room}/messaggi/{huge}/elimina", {"reason": "spam"}),
    ("/stanze/{room}/messaggi/{message}/elimina", {}),
    ("/stanze/{room}/messaggi/{message}/elimina", {"reason": "x" * 5000}),
    ("/stanze/{room}/silenzia/{huge}", {"minutes": 15, "reason": "r"}),
    ("/stanze/{room}/silenzia/{user}", {"minutes": "foo", "reason": "r"}),
    ("/stanze/{room}/silenzia/{user}", {"minutes": "-15", "reason": "r"}),
    ("/stanze/{room}/silenzia/{user}", {"minutes": str(HUGE), "reason": "r"}),
    ("/stanze/{room}/silenzia/{user}", {"reason": "r"}),
    ("/stanze/{room}/chiudi", {"reason": "   "}),
    ("/stanze/{room}/riapri", {"reason": "già aperta"}),
    ("/gestione/laboratori/{lab}/stanze/nuova", {"title": "T", "members": ",,;;\n"}),
    ("/gestione/laboratori/{lab}/stanze/nuova", {"title": "T", "members": "@@, not an email, a@b@c"}),
    ("/gestione/laboratori/{lab}/stanze/nuova", {"title": "T", "members": "x" * 6000}),
    ("/gestione/laboratori/{lab}/stanze/nuova", {"title": "<b></b>", "members": ""}),
    ("/gestione/laboratori/{lab}/stanze/nuova", {}),
])
def test_bad_posts_are_never_a_500(client, room_setup, make_user, path, data):
    lab, room_id, message_id, facilitator = room_setup
    other = make_user()
    login(client, facilitator)
    url = path.format(huge=HUGE, room=room_id, message=message_id, user=other.id, lab=lab.id)
    assert client.post(url, data=data).status_code in (302, 404, 422)


@pytest.mark.parametrize("path", [
    "/stanze/{room}/messaggi/{message}/elimina", "/stanze/{room}/silenzia/{user}",
    "/stanze/{room}/chiudi", "/stanze/{room}/riapri", "/gestione/laboratori/{lab}/stanze/nuova",
])
@pytest.mark.parametrize("who", ["participant", "facilitator_elsewhere"])
def test_who_does_not_moderate_the_room_is_refused(client, room_setup, make_user, make_lab,
                                                    make_facilitator, path, who):
    lab, room_id, message_id, _facilitator = room_setup
    actor = make_user() if who == "participant" else make_facilitator(make_lab())
    login(client, actor)
    url = path.format(room=room_id, message=message_id, user=make_user().id, lab=lab.id)
    assert client.post(url, data={"reason": "r", "minutes": 15, "title": "T"}).status_code == 403


def test_working_and_draft_event_rooms_are_hidden_over_http_and_socket(client, connect, room_setup, make_user,
                                                                        make_event, db_session):
    lab, _room_id, _message_id, facilitator = room_setup
    working = services.open_working_room(facilitator, lab, "Gruppo ristretto")
    draft = make_event(lab=lab, state=EventState.DRAFT, published_at=None)
    db_session.commit()
    stranger = make_user()
    login(client, stranger)
    for room_id in (working.id, queries.room_of(draft).id):
        assert client.get(f"/stanze/{room_id}").status_code == 404
        assert client.post(f"/stanze/{room_id}/messaggi", data={"body": "x"}).status_code == 404
        sock = connect(stranger)
        for event in ("join", "message", "typing", "read"):
            ack = emit(sock, event, {"room": room_id, "body": "x", "key": event, "last_id": 0})
            assert ack["error"]["code"] == "forbidden"


def test_writing_in_an_event_room_needs_a_confirmed_registration(client, connect, make_event, make_user):
    event = make_event()
    room_id = queries.room_of(event).id
    user = make_user()
    login(client, user)
    assert client.post(f"/stanze/{room_id}/messaggi", data={"body": "Ciao"}).status_code == 422
    ack = emit(connect(user), "message", {"room": room_id, "body": "Ciao", "key": "k1"})
    assert ack["error"]["code"] == "forbidden"


def test_unread_counts_never_count_a_room_one_may_no_longer_read(client, room_setup, make_user, db_session, fresh):
    """A former facilitator kept a read marker in a working room: its messages are not theirs."""
    lab, _room_id, _message_id, facilitator = room_setup
    former = make_facilitator_of(db_session, make_user(), lab)
    working = services.open_working_room(facilitator, lab, "Gruppo ristretto")
    services.mark_read(former, working, 0)
    db_session.query(LabFacilitator).filter_by(user_id=former.id).delete()
    db_session.commit()
    services.post_message(facilitator, fresh(Room, working.id), "Segreto")
    db_session.commit()
    login(client, former)
    page = client.get("/stanze").get_data(as_text=True)
    assert "Gruppo ristretto" not in page and "cl-rooms-badge" not in page  # no count in the header


def make_facilitator_of(db_session, user, lab):
    db_session.add(LabFacilitator(user=user, lab=lab))
    db_session.commit()
    db_session.refresh(user)
    return user


@pytest.mark.parametrize("payload", [
    {"room": "{room}", "body": "x" * 1_000_000, "key": "big"},
    {"room": "{room}", "body": {"nested": {"deep": [1, 2]}}, "key": "n"},
    {"room": "{room}", "body": "ciao", "key": "a\x00b"},
    {"room": "{room}", "body": "ciao", "key": {"k": 1}},
    {"room": "{room}"},
    {"room": "{room}", "after": 2**63 - 1},
    {"room": "{room}", "after": 2**64},
    {"room": "{room}", "last_id": 2**63 - 1},
    {"room": "{room}", "last_id": [1]},
])
@pytest.mark.parametrize("event", ["join", "message", "typing", "read", "leave"])
def test_odd_socket_payloads_never_crash(connect, room_setup, make_user, event, payload):
    _lab, room_id, _message_id, _facilitator = room_setup
    sock = connect(make_user())
    ack = emit(sock, event, {name: room_id if value == "{room}" else value for name, value in payload.items()})
    assert ack["ok"] or ack["error"]["code"] in ("invalid", "forbidden")
    assert sock.is_connected("/rooms")


def test_every_room_write_is_rate_limited(limited_app, limited_client, make_user):
    login(limited_client, make_user())
    urls = [(endpoint, url) for endpoint, url in post_urls(limited_app) if endpoint.startswith("rooms.")]
    assert len(urls) == 8  # with reporting a message and choosing an event room's readers
    unlimited = {}
    for endpoint, url in urls:
        limiter.reset()
        answers = [limited_client.post(url, data={}).status_code for _ in range(3)]
        if answers[-1] != 429:
            unlimited[endpoint] = answers
    assert unlimited == {}
