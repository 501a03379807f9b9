"""The presence stores behind the /rooms namespace: in memory, and in Redis (marker redis) where
two processes' stores share the entries and a process that stops refreshing loses its own."""
import os
import time
import uuid

import pytest

from civiclab.rooms.presence import MemoryPresence, RedisPresence

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_presence(prefix, ttl=90):
    import redis

    from tests.integration.services import unavailable

    client = redis.Redis.from_url(TEST_REDIS_URL, decode_responses=True, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        unavailable(f"Redis does not answer on {TEST_REDIS_URL}: {error}")
    return RedisPresence(TEST_REDIS_URL, prefix=prefix, ttl=ttl, client=client)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def stores(request):
    """Two processes' views of presence: the same store in memory, two clients of one prefix in Redis."""
    if request.param == "memory":
        store = MemoryPresence()
        yield store, store
        return
    prefix = f"civiclab-test-{uuid.uuid4().hex[:12]}"
    first, second = redis_presence(prefix), redis_presence(prefix)
    yield first, second
    first.clear()


def test_presence_lists_each_user_once_by_name_across_processes(stores):
    here, there = stores
    here.connect("a1", 1, "Zoe")
    there.connect("b1", 2, "anna | la rossa")
    there.connect("b2", 2, "anna | la rossa")
    for store, sid in ((here, "a1"), (there, "b1"), (there, "b2")):
        store.join(sid, 7)
    expected = [{"id": 2, "name": "anna | la rossa"}, {"id": 1, "name": "Zoe"}]
    assert here.users(7) == there.users(7) == expected
    assert here.sids_of(2) == ["b1", "b2"]

    assert there.leave("b1", 7) is True and there.leave("b1", 7) is False
    assert here.users(7) == expected  # still in b2
    assert there.disconnect("b2") == [7]
    assert here.users(7) == [{"id": 1, "name": "Zoe"}]
    assert here.sids_of(2) == ["b1"] and here.users(8) == []  # b1 left the room, not the site


def test_an_unknown_sid_changes_nothing(stores):
    here, _there = stores
    here.join("ghost", 3)
    assert here.users(3) == [] and here.disconnect("ghost") == [] and here.leave("ghost", 3) is False


@pytest.mark.redis
def test_entries_a_process_stops_refreshing_expire_and_refreshed_ones_stay():
    prefix = f"civiclab-test-{uuid.uuid4().hex[:12]}"
    alive, dead = redis_presence(prefix, ttl=1), redis_presence(prefix, ttl=1)
    try:
        alive.connect("a", 1, "Anna")
        dead.connect("d", 2, "Dario")
        alive.join("a", 5)
        dead.join("d", 5)
        assert [user["id"] for user in alive.users(5)] == [1, 2]
        time.sleep(0.6)
        alive.refresh_local()
        time.sleep(0.6)
        assert [user["id"] for user in alive.users(5)] == [1]
        assert alive.sids_of(2) == [] and alive.sids_of(1) == ["a"]
    finally:
        alive.clear()


def test_the_sockets_of_a_sign_in_session_are_known_across_processes(stores):
    here, there = stores
    here.connect("a1", 1, "Anna")
    there.connect("b1", 1, "Anna")
    there.connect("b2", 1, "Anna")
    here.bind_session("a1", 40)
    there.bind_session("b1", 40)
    there.bind_session("b2", 41)
    there.bind_session("ghost", 40)  # never connected: not bound

    assert here.sids_of_session(40) == there.sids_of_session(40) == ["a1", "b1"]
    there.disconnect("b1")
    assert here.sids_of_session(40) == ["a1"] and here.sids_of_session(41) == ["b2"]
