"""On a real Redis: the rooms' per-user counters are shared by every process (two stores or two
limiters stand for two gunicorn workers)."""
import threading
import uuid

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from civiclab.rooms.presence import RedisPresence

pytestmark = pytest.mark.redis


def test_the_socket_cap_counts_the_connections_of_every_process(redis_url):
    prefix = f"test-cap-{uuid.uuid4().hex}"
    first, second = RedisPresence(redis_url, prefix=prefix), RedisPresence(redis_url, prefix=prefix)
    try:
        accepted = [(first if n % 2 else second).connect(f"sid-{n}", 7, "Anna", max_sids=10) for n in range(11)]
        assert accepted == [True] * 10 + [False]
        assert len(first.sids_of(7)) == 10
        first.disconnect("sid-1")
        assert second.connect("sid-11", 7, "Anna", max_sids=10)
        second.bind_session("sid-11", 41)
        # What disconnect_user_sessions reads, from any process: the user's sids, a session's sids.
        assert len(first.sids_of(7)) == 10 and first.sids_of_session(41) == ["sid-11"]
    finally:
        first.clear()


def test_a_burst_from_two_processes_takes_at_most_the_message_limit(redis_url):
    workers = [MovingWindowRateLimiter(storage_from_string(redis_url)) for _ in range(2)]
    limit, key = parse("10 per 10 seconds"), f"test-burst-{uuid.uuid4().hex}"
    results, start = [], threading.Barrier(30)

    def send(n):
        start.wait()
        results.append(workers[n % 2].hit(limit, key, "room-message", "7"))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 10
