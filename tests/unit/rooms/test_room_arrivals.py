"""Arrivals in a room filling up are told to the others in batches (rooms/arrivals.py); a
departure is told at once and never undone by a late batch."""
import pytest

from civiclab.rooms.arrivals import Arrivals

NS = "/rooms"


def join(client, room_id):
    assert client.emit("join", {"room": room_id, "after": 0}, namespace=NS, callback=True)["ok"]


def presence(client):
    return [event["args"][0] for event in client.get_received(NS) if event["name"] == "presence"]


@pytest.fixture
def batching(app, monkeypatch):
    """A window that stays open until the test closes it (`flush`)."""
    batches = Arrivals(window=3600)
    monkeypatch.setitem(app.extensions, "civiclab_rooms_arrivals", batches)
    return batches


def test_arrivals_while_the_window_is_open_are_told_together(batching, connect, lab_room, make_user):
    room_id, _lab = lab_room
    watcher = connect(make_user(display_name="Anna"))
    join(watcher, room_id)  # the first arrival opens the window
    presence(watcher)
    users = [make_user(display_name=name) for name in ("Bruno", "Carla")]
    ids = [user.id for user in users]
    for user in users:
        join(connect(user), room_id)
    assert presence(watcher) == []  # not one event per arrival

    assert batching.flush(room_id) is True
    assert presence(watcher) == [{"room": room_id, "joined": [{"id": ids[0], "name": "Bruno"},
                                                               {"id": ids[1], "name": "Carla"}]}]
    assert batching.flush(room_id) is False  # nobody since: the window closes


def test_someone_who_left_before_the_batch_is_not_announced_by_it(batching, connect, lab_room, make_user):
    room_id, _lab = lab_room
    watcher = connect(make_user())
    join(watcher, room_id)
    presence(watcher)
    passer = make_user(display_name="Di passaggio")
    passer_id = passer.id
    passing = connect(passer)
    join(passing, room_id)
    passing.disconnect(namespace=NS)
    assert presence(watcher) == [{"room": room_id, "left": {"id": passer_id}}]

    batching.flush(room_id)
    assert presence(watcher) == []
