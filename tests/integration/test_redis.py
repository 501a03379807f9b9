"""On a real Redis: what several app processes must share goes through it.

Each app instance runs in its own process, as gunicorn workers do, so nothing is shared by
accident through this test process's memory (the Flask extensions are module-level objects).
"""
import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from tests.integration.services import free_port, wait_for_port

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]

# One app instance: rate limits stored in Redis under a prefix, `count` failed log-ins posted.
LOGIN_ATTEMPTS = """
import json, sys
from tests.conftest import make_app
database, redis_url, prefix, count = sys.argv[1:5]
app = make_app(database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url,
               RATELIMIT_KEY_PREFIX=prefix, RATELIMIT_LOGIN="3 per minute")
client = app.test_client()
statuses = [client.post("/account/accedi", data={"email": "x@example.org", "password": "no"}).status_code
            for _ in range(int(count))]
print(json.dumps(statuses))
"""

# One app instance serving HTTP and Socket.IO, its Socket.IO message queue on Redis.
SOCKET_SERVER = """
import sys
from werkzeug.serving import make_server
from tests.conftest import make_app
database, redis_url, port = sys.argv[1:4]
app = make_app(database, REDIS_URL=redis_url, SERVER_NAME=None)
print("ready", flush=True)
make_server("127.0.0.1", int(port), app, threaded=True).serve_forever()
"""

# Another app instance that emits from the server side (as a request handler would), repeatedly
# until it is stopped: the receiving instance subscribes to Redis asynchronously.
SOCKET_EMITTER = """
import sys, time
from civiclab.extensions import socketio
from tests.conftest import make_app
database, redis_url, event = sys.argv[1:4]
app = make_app(database, REDIS_URL=redis_url)
with app.app_context():
    for n in range(200):
        socketio.emit(event, {"n": n}, namespace="/")
        time.sleep(0.1)
"""


def python(code, *args, **popen):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CIVICLAB_ENV", None)
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env,
                            text=True, **popen)


def run(code, *args):
    process = python(code, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


@pytest.fixture
def redis_client(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"civiclab-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in redis_client.scan_iter(f"*{prefix}*"):
        redis_client.delete(key)


def test_rate_limit_counters_are_shared_between_app_instances(redis_url, redis_client, prefix, tmp_path):
    database = f"sqlite:///{tmp_path / 'civiclab.sqlite3'}"
    first = json.loads(run(LOGIN_ATTEMPTS, database, redis_url, prefix, 3))
    assert first == [422, 422, 422]  # wrong password, within the limit
    assert list(redis_client.scan_iter(f"*{prefix}*")), "the counters are not in Redis"

    second = json.loads(run(LOGIN_ATTEMPTS, database, redis_url, prefix, 1))
    assert second == [429]  # another process, same counters: over the limit


def test_a_server_side_emit_reaches_clients_of_another_app_instance(redis_url, tmp_path):
    import socketio

    port = free_port()
    event = f"civiclab-test-{uuid.uuid4().hex[:12]}"
    database = f"sqlite:///{tmp_path / 'civiclab.sqlite3'}"
    server = python(SOCKET_SERVER, database, redis_url, port,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    emitter = None
    client = socketio.Client()
    received = threading.Event()
    client.on(event, lambda data: received.set())
    try:
        wait_for_port(port)
        client.connect(f"http://127.0.0.1:{port}", transports=["websocket"], wait_timeout=10)
        emitter = python(SOCKET_EMITTER, database, redis_url, event,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert received.wait(timeout=30), "the event emitted by the other instance never arrived"
    finally:
        client.disconnect()
        for process in (emitter, server):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
