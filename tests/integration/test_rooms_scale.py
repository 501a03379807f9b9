"""Rooms across processes: two real CivicLab servers share one PostgreSQL database and Redis, and a
message or a moderation delete made through one reaches the clients of the other.

Each server runs in its own process (as production's gunicorn processes do), so nothing is shared
by accident through this test process's memory; the database is filled by another process too.
People log in over HTTP with the CSRF token of the form, as a browser does, and connect a
python-socketio client with the session cookie they got.
"""
import json
import queue
import re
import subprocess
import uuid

import pytest

from tests.conftest import DEMO_PASSWORD, temporary_postgres_database
from tests.integration.services import free_port, wait_for_port
from tests.integration.test_redis import python, run

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

NAMESPACE = "/rooms"
TIMEOUT = 20  # seconds for anything to cross Redis and reach a client

# The schema, a lab (its public room comes with it), its facilitator and two confirmed people.
FILL = """
import json, sys
from civiclab.accounts.models import User
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.places.models import City, Lab, LabFacilitator
from civiclab.rooms import queries
from tests.conftest import DEMO_PASSWORD, make_app
app = make_app(sys.argv[1])
with app.app_context():
    now = utcnow()
    city = City(name="Bologna", slug="bologna", region="Emilia-Romagna")
    lab = Lab(city=city, name="Laboratorio Aperto Bologna", slug="bologna")
    people = {}
    for role in ("autrice", "lettore", "facilitatrice"):
        people[role] = User(email=f"{role}@example.org", display_name=role.title(),
                            privacy_consent_at=now, email_confirmed_at=now)
        people[role].set_password(DEMO_PASSWORD)
    db.session.add_all([city, lab, *people.values(),
                        LabFacilitator(user=people["facilitatrice"], lab=lab)])
    db.session.commit()
    print(json.dumps({"room": queries.room_of(lab).id}))
    db.engine.dispose()
"""

# One CivicLab process serving HTTP and Socket.IO (threading mode, simple-websocket), with its
# Socket.IO message queue and presence on Redis and CSRF checked as in production.
SERVER = """
import sys
from werkzeug.serving import make_server
from tests.conftest import make_app
database, redis_url, presence_prefix, port = sys.argv[1:5]
app = make_app(database, REDIS_URL=redis_url, SERVER_NAME=None, WTF_CSRF_ENABLED=True,
               ROOMS_PRESENCE_PREFIX=presence_prefix)
print("ready", flush=True)
make_server("127.0.0.1", int(port), app, threaded=True).serve_forever()
"""


def csrf_token(html):
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def log_in(base_url, email):
    """A requests session logged in through the form, as a browser does."""
    import requests

    session = requests.Session()
    form = session.get(f"{base_url}/account/accedi", timeout=TIMEOUT)
    answer = session.post(f"{base_url}/account/accedi", timeout=TIMEOUT, allow_redirects=False,
                          data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(form.text)})
    assert answer.status_code == 302, answer.text[:500]
    assert "session" in session.cookies
    return session


def connect(base_url, session, room):
    """A python-socketio client of `session`'s user, joined to `room`; its events in a queue."""
    import socketio

    events = queue.Queue()
    client = socketio.Client(reconnection=False)
    for name in ("message", "message_deleted", "error"):
        client.on(name, lambda data, name=name: events.put((name, data)), namespace=NAMESPACE)
    client.connect(base_url, headers={"Cookie": f"session={session.cookies['session']}"},
                   namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=TIMEOUT)
    joined = client.call("join", {"room": room, "after": 0}, namespace=NAMESPACE, timeout=TIMEOUT)
    assert joined["ok"], joined
    return client, events


def next_event(events, name, match):
    """The first `name` event whose data satisfies `match`, skipping others (presence, replays)."""
    while True:
        try:
            event, data = events.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"no {name} event arrived in {TIMEOUT} s") from None
        if event == "error":
            raise AssertionError(f"error event: {data}")
        if event == name and match(data):
            return data


@pytest.fixture
def shared_database(postgres_admin_url):
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture
def room(shared_database):
    """The schema is built here, before the servers start (two migrating at once would race)."""
    return json.loads(run(FILL, shared_database))["room"]


@pytest.fixture
def presence_prefix(redis_url):
    import redis

    prefix = f"civiclab-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def two_servers(shared_database, room, redis_url, presence_prefix, tmp_path):
    """Two server processes on the same database and Redis; yields their base URLs."""
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"server-{n}.log" for n in (1, 2)]
    servers = []
    try:
        for port, log in zip(ports, logs):
            with log.open("w") as stderr:
                servers.append(python(SERVER, shared_database, redis_url, presence_prefix, port,
                                      stdout=subprocess.DEVNULL, stderr=stderr))
        for port, server, log in zip(ports, servers, logs):
            try:
                wait_for_port(port, timeout=60)
            except AssertionError:
                raise AssertionError(f"server {port} did not start:\n{log.read_text()[-3000:]}") from None
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


def test_a_message_and_its_deletion_reach_a_client_of_the_other_process(room, two_servers):
    server_a, server_b = two_servers

    author = log_in(server_a, "autrice@example.org")
    reader = log_in(server_b, "lettore@example.org")
    clients = []
    try:
        sender, _sender_events = connect(server_a, author, room)
        clients.append(sender)
        listener, received = connect(server_b, reader, room)
        clients.append(listener)

        key = uuid.uuid4().hex
        ack = sender.call("message", {"room": room, "body": "Ci vediamo **giovedì** in laboratorio",
                                      "key": key}, namespace=NAMESPACE, timeout=TIMEOUT)
        assert ack["ok"] and ack["created"], ack
        stored_id = ack["message"]["id"]

        message = next_event(received, "message", lambda data: data["id"] == stored_id)
        assert message["room"] == room
        assert message["key"] == key
        assert "<strong>giovedì</strong>" in message["html"]
        assert message["author"]["name"] == "Autrice"
        assert message["deleted"] is False

        # The facilitator deletes it through the page of process A, as a browser without the
        # socket would; the listener on process B sees it go.
        moderator = log_in(server_a, "facilitatrice@example.org")
        page = moderator.get(f"{server_a}/stanze/{room}", timeout=TIMEOUT)
        assert page.status_code == 200
        answer = moderator.post(f"{server_a}/stanze/{room}/messaggi/{stored_id}/elimina",
                                data={"reason": "Fuori tema", "csrf_token": csrf_token(page.text)},
                                timeout=TIMEOUT, allow_redirects=False)
        assert answer.status_code == 302, answer.text[:500]

        deleted = next_event(received, "message_deleted", lambda data: data["id"] == stored_id)
        assert deleted == {"room": room, "id": stored_id}
    finally:
        for client in clients:
            client.disconnect()
