"""The production recipe, end to end: two gunicorn processes (gunicorn.conf.py, CIVICLAB_ENV=
production) and one job worker (`flask --app wsgi jobs worker`) on the machine's PostgreSQL and
Redis, with the demo data, and one person going through both processes as a browser behind nginx
would:

  sign up on A -> the confirmation mail, sent by the worker, reaches the SMTP server ->
  confirm through its link on B -> sign in on B -> book a seat on B -> the booking's mail comes
  through the worker -> a Socket.IO client on A, in the lab's room, receives the message the same
  person posts through B's page (Socket.IO's message queue on Redis).

Like nginx (deploy/), the test's client says X-Forwarded-Proto: https and the app believes one
proxy (TRUSTED_PROXY_COUNT=1), so the app answers as on https://localhost; the client talks plain
HTTP on loopback and hands the Secure cookies back itself, as the browser does to nginx. The mail
server is a small SMTP sink in this process. Everything is thrown away afterwards: the processes,
the PostgreSQL database, and the Redis database the test claimed (an empty one among 1-14, or
TEST_TWO_PROCESS_REDIS_URL).
"""
import email
import os
import queue
import re
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import DEMO_PASSWORD, temporary_postgres_database
from tests.integration.services import free_port, unavailable, wait_for_port
from tests.integration.test_rooms_scale import NAMESPACE, connect, csrf_token, next_event

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin: flask, gunicorn
TIMEOUT = 30
CLAIM_KEY = "civiclab-test:claimed-by"


# ---- an SMTP server that keeps what it is given --------------------------------------------

class SMTPSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP for smtplib (Flask-Mail): every message accepted lands in `received`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPSession)
        self.received = queue.Queue()

    @property
    def port(self):
        return self.server_address[1]


class _SMTPSession(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.server.received.put(email.message_from_bytes(b"".join(lines)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


@pytest.fixture
def smtp_sink():
    sink = SMTPSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.shutdown()
    sink.server_close()


def mail_to(sink, address, subject_part):
    """The first mail to `address` whose subject has `subject_part` (others are skipped)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            message = sink.received.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        if address in message["To"] and subject_part in subject:
            return message, subject
    raise AssertionError(f"no mail «{subject_part}» to {address} in {TIMEOUT} s")


def text_body(message):
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


# ---- the services --------------------------------------------------------------------------

@pytest.fixture
def own_redis(redis_url):
    """A Redis database of this test's own: TEST_TWO_PROCESS_REDIS_URL, or the first empty one
    among 14..1 on TEST_REDIS_URL's server, claimed with SET NX; flushed afterwards."""
    import redis

    token = uuid.uuid4().hex
    chosen = os.environ.get("TEST_TWO_PROCESS_REDIS_URL")
    candidates = [chosen] if chosen else [f"{redis_url.rsplit('/', 1)[0]}/{n}" for n in range(14, 0, -1)]
    for url in candidates:
        client = redis.Redis.from_url(url)
        if client.dbsize() == 0 and client.set(CLAIM_KEY, token, nx=True):
            break
        client.close()
    else:
        unavailable("no empty Redis database to claim for the two-process test")
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def own_database(postgres_admin_url):
    with temporary_postgres_database() as url:
        yield url


def production_environment(database_url, redis_url, smtp_port):
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("JOB_", "RATELIMIT_", "MAIL_"))}
    return {**environment, "CIVICLAB_ENV": "production", "SECRET_KEY": "two-processes-only-" + "x" * 40,
            "DATABASE_URL": database_url, "REDIS_URL": redis_url, "JOB_QUEUE": "rq",
            "CIVICLAB_BASE_URL": "https://localhost", "TRUSTED_HOSTS": "localhost,127.0.0.1",
            "TRUSTED_PROXY_COUNT": "1", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
            "DB_POOL_SIZE": "5", "PYTHONPATH": str(ROOT)}


def flask(environment, *arguments):
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"flask {' '.join(arguments)} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture
def recipe(own_database, own_redis, smtp_sink, tmp_path):
    """(server A, server B, the database URL): the demo data served by two gunicorn processes,
    and the worker running."""
    environment = production_environment(own_database, own_redis, smtp_sink.port)
    flask(environment, "db", "upgrade")
    flask(environment, "seed-demo", "--force")  # production config: a throwaway database
    processes, logs = [], []

    def start(name, command, **extra):
        log = tmp_path / f"{name}.log"
        logs.append(log)
        with log.open("w") as output:
            processes.append(subprocess.Popen(command, cwd=ROOT, env={**environment, **extra},
                                              stdout=output, stderr=subprocess.STDOUT))

    ports = [free_port(), free_port()]
    try:
        for name, port in zip("AB", ports):
            runtime = tmp_path / f"run-{name}"  # each master's own control socket (gunicorn.ctl)
            runtime.mkdir()
            start(f"gunicorn-{name}", [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                  BIND=f"127.0.0.1:{port}", XDG_RUNTIME_DIR=str(runtime))
        start("worker", [str(BIN / "flask"), "--app", "wsgi", "jobs", "worker"])
        for port in ports:
            wait_for_port(port, timeout=60)
            answers(f"http://127.0.0.1:{port}/")  # the master listens at once; its worker loads the app
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", own_database
    except BaseException:
        for log in logs:
            print(f"===== {log.name}\n{log.read_text()[-4000:]}")
        raise
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def answers(url, timeout=120):
    """Wait until `url` answers 200 (the app is loaded in the gunicorn worker)."""
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, headers={"X-Forwarded-Proto": "https"}, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"{url} does not answer 200 after {timeout} s"
        time.sleep(0.5)


# ---- a browser behind nginx ---------------------------------------------------------------

class Browser:
    """One person's browser behind nginx: each request says it came over https through one proxy,
    and carries the cookies the app set, Secure ones included (requests would keep those for
    https addresses, and the app is on plain HTTP on loopback, as behind nginx's TLS)."""

    def __init__(self):
        import requests

        self.session = requests.Session()

    def _headers(self, server):
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.session.cookies)
        return {"X-Forwarded-Proto": "https", "Referer": server.replace("http://", "https://", 1) + "/",
                **({"Cookie": cookies} if cookies else {})}

    def get(self, server, path):
        return self.session.get(server + path, headers=self._headers(server), timeout=TIMEOUT,
                                allow_redirects=False)

    def post(self, server, path, data, form_path=None):
        """POST `data` with the CSRF token of the form on `form_path` (default: `path`)."""
        form = self.get(server, form_path or path)
        assert form.status_code == 200, (form.status_code, form.text[:500])
        answer = self.session.post(server + path, data={**data, "csrf_token": csrf_token(form.text)},
                                   headers=self._headers(server), timeout=TIMEOUT, allow_redirects=False)
        return answer


def bookable_events(database_url):
    """Published upcoming events with free seats and no audience restriction, soonest first."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [row for row in connection.execute(sa.text(
                "SELECT e.id, r.id FROM events e JOIN rooms r ON r.lab_id = e.lab_id AND r.kind = 'lab' "
                "WHERE e.state = 'published' AND e.starts_at > now() AND e.confirmed_seats < e.capacity "
                "AND r.locked_at IS NULL "
                "AND NOT EXISTS (SELECT 1 FROM event_audiences a WHERE a.event_id = e.id) "
                "ORDER BY e.starts_at"))]
    finally:
        engine.dispose()


def test_sign_up_book_and_talk_across_two_processes_with_mail_sent_by_the_worker(recipe, smtp_sink):
    server_a, server_b, database_url = recipe
    person = f"due-processi-{uuid.uuid4().hex[:8]}@example.org"
    browser = Browser()

    # Sign up on A: the answer does not wait for the mail, the worker sends it.
    signed_up = browser.post(server_a, "/account/registrati", {
        "email": person, "display_name": "Giulia Due Processi", "password": DEMO_PASSWORD,
        "password_confirm": DEMO_PASSWORD, "participant_type": "cittadino", "privacy_consent": "y",
        "website": ""})
    assert signed_up.status_code == 302, signed_up.text[:2000]
    message, _subject = mail_to(smtp_sink, person, "")
    link = re.search(r"https://localhost(/account/conferma/\S+)", text_body(message))
    assert link, text_body(message)

    # Confirm on B, sign in on B.
    confirmed = browser.get(server_b, link.group(1))
    assert confirmed.status_code == 200, confirmed.text[:500]
    signed_in = browser.post(server_b, "/account/accedi", {"email": person, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, signed_in.text[:1000]

    # Book a seat on B; the confirmation mail comes through the worker.
    candidates = bookable_events(database_url)
    assert candidates, "the demo data has no bookable event"
    for event_id, room_id in candidates:
        booked = browser.post(server_b, f"/eventi/{event_id}/iscrizione", {"seats": "1"},
                              form_path=f"/eventi/{event_id}")
        if booked.status_code == 302:
            break
    else:
        raise AssertionError(f"no demo event could be booked: {booked.status_code} {booked.text[:500]}")
    message, _subject = mail_to(smtp_sink, person, "Iscrizione confermata")
    assert "text/calendar" in [part.get_content_type() for part in message.walk()]  # built by the worker

    # A Socket.IO client on A in the lab's room; the same person posts through B's page.
    listener, events = connect(server_a, browser.session, room_id)
    try:
        words = f"Ci vediamo in laboratorio {uuid.uuid4().hex[:6]}"
        posted = browser.post(server_b, f"/stanze/{room_id}/messaggi", {"body": words, "key": uuid.uuid4().hex},
                              form_path=f"/stanze/{room_id}")
        assert posted.status_code == 302, posted.text[:1000]
        message = next_event(events, "message", lambda data: words in data["html"])
        assert message["room"] == room_id and message["author"]["name"] == "Giulia Due Processi"
    finally:
        listener.disconnect()
    assert NAMESPACE == "/rooms"
