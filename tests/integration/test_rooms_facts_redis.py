"""Across processes (PostgreSQL and Redis): the facts a connection's messages are checked against
(rooms/facts.py) are kept by the process that holds the socket and forgotten when another process
commits a change to them, so the next message is refused at once (and after the reverse change,
accepted).

Two real CivicLab servers (test_rooms_scale.two_servers): the writer's socket is on process B; the
facilitator acts through the pages of process A; a third process changes a row with no signal at
all (a script, as a CLI command or a console would).
"""
import queue
import uuid

import pytest

from tests.integration import test_rooms_scale as scale
from tests.integration.test_redis import run
from tests.integration.test_rooms_scale import NAMESPACE, TIMEOUT, connect, csrf_token, log_in

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
# The two servers on one database and Redis, as test_rooms_scale builds them.
shared_database, room, presence_prefix, two_servers = (
    scale.shared_database, scale.room, scale.presence_prefix, scale.two_servers)

# In another process, with the servers' Redis: end every sign-in session of a user, with a bulk
# UPDATE and no signal (nothing disconnects the socket: only the check can refuse it).
END_SESSIONS = """
import sys
import sqlalchemy as sa
from civiclab.accounts.models import User, UserSession
from civiclab.core.time import utcnow
from civiclab.extensions import db
from tests.conftest import make_app
app = make_app(sys.argv[1], REDIS_URL=sys.argv[2])
with app.app_context():
    user_id = db.session.scalar(sa.select(User.id).where(User.email == sys.argv[3]))
    db.session.execute(sa.update(UserSession).where(UserSession.user_id == user_id).values(revoked_at=utcnow()))
    db.session.commit()
    db.engine.dispose()
"""


def say(client, room_id):
    return client.call("message", {"room": room_id, "body": "Ci sono", "key": uuid.uuid4().hex},
                       namespace=NAMESPACE, timeout=TIMEOUT)


def refused_with(ack):
    return None if ack.get("ok") else ack["error"]["code"]


def moderate(server, moderator, room_id, action, data):
    page = moderator.get(f"{server}/stanze/{room_id}", timeout=TIMEOUT)
    assert page.status_code == 200
    answer = moderator.post(f"{server}/stanze/{room_id}/{action}", data={**data, "csrf_token": csrf_token(page.text)},
                            timeout=TIMEOUT, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]


def test_a_lock_and_a_mute_on_one_process_refuse_the_next_message_on_the_other(room, two_servers):
    server_a, server_b = two_servers
    moderator = log_in(server_a, "facilitatrice@example.org")
    writer, _events = connect(server_b, log_in(server_b, "autrice@example.org"), room)
    try:
        first = say(writer, room)  # the facts are kept on process B now
        assert first["ok"], first
        author_id = first["message"]["author"]["id"]

        moderate(server_a, moderator, room, "chiudi", {"reason": "Pausa"})
        assert refused_with(say(writer, room)) == "locked"
        moderate(server_a, moderator, room, "riapri", {"reason": "Si riprende"})
        assert say(writer, room)["ok"]

        moderate(server_a, moderator, room, f"silenzia/{author_id}", {"minutes": 15, "reason": "Toni"})
        assert refused_with(say(writer, room)) == "muted"
    finally:
        writer.disconnect()


def test_a_session_ended_by_another_process_without_a_signal_refuses_the_next_message(
        room, two_servers, shared_database, redis_url):
    _server_a, server_b = two_servers
    writer, events = connect(server_b, log_in(server_b, "lettore@example.org"), room)
    try:
        assert say(writer, room)["ok"]
        run(END_SESSIONS, shared_database, redis_url, "lettore@example.org")
        # Refused and disconnected: the error event comes, the acknowledgement does not.
        writer.emit("message", {"room": room, "body": "Ci sono ancora?", "key": uuid.uuid4().hex},
                    namespace=NAMESPACE)
        while True:
            try:
                name, data = events.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError("no error event: the message was not refused") from None
            assert name != "message" or data["html"] != "<p>Ci sono ancora?</p>\n", "the message went through"
            if name == "error":
                break
        assert data["code"] == "unauthenticated"
    finally:
        writer.disconnect()
