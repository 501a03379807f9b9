"""A booking storm over HTTP: 500 signed-in people book one event of 100 seats at the same moment.

The production recipe (bench/harness.py: `gunicorn -c gunicorn.conf.py`, one process per core)
on a throwaway database with the migrations, one published event of 100 seats and 500 confirmed
accounts (half reading Italian, half English), each with a signed session cookie. Each person first
opens the event page (their CSRF token and the booking form's one-time key, as a browser would),
then all 500 POSTs leave together. Printed: confirmed and waiting rows and the event's confirmed
seats in the database, 5xx answers, the wall time from the first send to the last answer,
bookings per second, and the mails a local SMTP sink received within --mail-wait seconds. The goal
(issue 13): exactly 100 confirmed, 400 waiting, no 5xx, under 2 s.

    .venv/bin/python bench/booking_storm.py                     # PostgreSQL (default)
    .venv/bin/python bench/booking_storm.py --db both
    git worktree add /tmp/storm-before a039ef2                   # (+ static/vendor, node_modules symlinks)
    .venv/bin/python bench/booking_storm.py --tree /tmp/storm-before

Rate limits stay on, as in production: they count per person, and each person books once.
Run by hand; it prints figures, it asserts nothing.
"""
import argparse
import asyncio
import os
import re
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import (
    ROOT,
    database,
    flask_command,
    goal,
    production_env,
    recipe,
    session_cookies,
)
from tests.integration.services import free_port

GOAL_SECONDS = 2.0
NO_ANSWER = 599  # counted with the 5xx: the connection broke or timed out without an answer


# ---- a mail sink: just enough SMTP for smtplib, counting what arrives -----------------------------

class MailSink:
    """An SMTP server on loopback (its own thread and event loop) that counts messages and notes
    when each arrived."""

    def __init__(self):
        self.port = free_port()
        self.arrivals = []
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait(10)

    def _serve(self):
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", self.port,
                                                                    backlog=1024))
        self._ready.set()
        self._server = server  # kept, so it is not collected
        self._loop.run_forever()

    async def _session(self, reader, writer):
        writer.write(b"220 sink ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"DATA":
                    writer.write(b"354 go on\r\n")
                    await writer.drain()
                    while await reader.readline() not in (b".\r\n", b""):
                        pass
                    self.arrivals.append(time.monotonic())
                    writer.write(b"250 queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


# ---- the world: an event of 100 seats, 500 people -----------------------------------------------

def build_world(env, seats, people):
    """(event id, cookie headers): the event and the accounts, made in this process with the
    server's settings (so the cookies are signed with its key)."""
    os.environ.update({key: env[key] for key in ("CIVICLAB_ENV", "SECRET_KEY", "DATABASE_URL",
                                                 "CIVICLAB_BASE_URL", "TRUSTED_HOSTS")})
    from civiclab import create_app
    from civiclab.accounts.models import User
    from civiclab.core.time import utcnow
    from civiclab.extensions import db
    from tests.integration.helpers import add_published_event

    app = create_app("production")
    with app.app_context():
        event = add_published_event(timedelta(days=7), capacity=seats)
        now = utcnow()
        db.session.execute(sa.insert(User), [
            {"email": f"storm{n}@example.org", "display_name": f"Persona {n}", "password_hash": "x",
             "locale": "en" if n % 2 else "it", "privacy_consent_at": now, "email_confirmed_at": now}
            for n in range(people)])
        db.session.commit()
        users = list(db.session.scalars(sa.select(User).where(User.email.like("storm%")).order_by(User.id)))
        cookies = session_cookies(app, users)
        event_id = event.id
        db.engine.dispose()
    return event_id, cookies


def count_bookings(database_url, event_id):
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        by_state = dict(conn.execute(sa.text(
            "SELECT state, count(*) FROM registrations WHERE event_id = :e GROUP BY state"), {"e": event_id}).all())
        seats = conn.execute(sa.text("SELECT confirmed_seats FROM events WHERE id = :e"), {"e": event_id}).scalar()
    engine.dispose()
    return {str(state).lower(): n for state, n in by_state.items()}, seats


# ---- the servers' CPU time (the machine may be shared: CPU seconds compare where wall time cannot)

def server_cpu_seconds(bases):
    """User + system CPU seconds used so far by the processes serving `bases` (found by the BIND
    variable the recipe gives each)."""
    binds = {f"BIND={base.removeprefix('http://')}".encode() for base in bases}
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = set((entry / "environ").read_bytes().split(b"\0"))
            if binds & environ:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue
    return total


# ---- the storm -----------------------------------------------------------------------------------

FIELD = re.compile(r'name="(csrf_token|form_key)"[^>]*value="([^"]+)"')


def _session_cookie(response, fallback):
    """The session cookie the server set (production cookies are Secure: parsed by hand)."""
    for header in response.headers.getall("Set-Cookie", []):
        name, _, rest = header.partition("=")
        if name.strip() == "session":
            return "session=" + rest.split(";", 1)[0]
    return fallback


async def storm(bases, event_id, cookies, cpu):
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0, force_close=True)  # a new connection each: no idle keep-alive to lose
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as http:
        path = f"/eventi/{event_id}"

        async def open_form(n, cookie):
            base = bases[n % len(bases)]  # sticky: a person stays on one process
            try:
                async with http.get(base + path, headers={"Cookie": cookie}) as response:
                    page = await response.text()
                    return base, _session_cookie(response, cookie), dict(FIELD.findall(page))
            except (TimeoutError, aiohttp.ClientError):
                return base, cookie, {}  # counted as a form without its fields

        forms = await asyncio.gather(*(open_form(n, cookie) for n, cookie in enumerate(cookies)))
        missing = sum(1 for _base, _cookie, fields in forms if "csrf_token" not in fields or "form_key" not in fields)
        start = asyncio.Event()
        answers = []

        async def book(base, cookie, fields):
            await start.wait()
            sent = time.monotonic()
            try:
                async with http.post(base + path + "/iscrizione", data={**fields, "seats": "1"},
                                     headers={"Cookie": cookie}, allow_redirects=False) as response:
                    await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError):
                status = NO_ANSWER
            answers.append((sent, time.monotonic(), status))

        tasks = [asyncio.create_task(book(*form)) for form in forms]
        await asyncio.sleep(0.2)  # every task waits at the barrier
        cpu["start"] = server_cpu_seconds(bases)
        start.set()
        await asyncio.gather(*tasks)
    return missing, answers


def run(label, postgres, tree, seats, people, mail_wait):
    sink = MailSink()
    with database(postgres) as url:
        env = production_env(url, tree=tree, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(sink.port))
        flask_command(tree, env, "db", "upgrade")
        event_id, cookies = build_world(env, seats, people)
        with recipe("wsgi:app", env, tree=tree) as bases:
            cpu = {}
            missing, answers = asyncio.run(storm(bases, event_id, cookies, cpu))
            cpu["answered"] = server_cpu_seconds(bases)
            first = min(sent for sent, _done, _status in answers)
            last = max(done for _sent, done, _status in answers)
            wall = last - first
            deadline = time.monotonic() + mail_wait
            while len(sink.arrivals) < people and time.monotonic() < deadline:
                time.sleep(0.2)
            mails = len(sink.arrivals)
            mails_done = (max(sink.arrivals) - first) if sink.arrivals else 0.0
            cpu["mailed"] = server_cpu_seconds(bases)
        states, confirmed_seats = count_bookings(url, event_id)
    statuses = {}
    for _sent, _done, status in answers:
        statuses[status] = statuses.get(status, 0) + 1
    errors = sum(n for status, n in statuses.items() if status >= 500)
    latencies = sorted(done - sent for sent, done, _status in answers)
    confirmed, waiting = states.get("confirmed", 0), states.get("waiting", 0)
    print(f"\n{label}: {people} bookings for {seats} seats, {len(bases)} processes (tree {tree})")
    print(f"  forms without a CSRF token or form key: {missing}")
    print(f"  answers by status: {dict(sorted(statuses.items()))}   5xx: {errors}")
    print(f"  database: {confirmed} confirmed, {waiting} waiting, event.confirmed_seats = {confirmed_seats}")
    print(f"  wall time first send -> last answer: {wall:.2f} s   ({people / wall:.0f} bookings/s)")
    print(f"  latency: p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    booking_cpu, mail_cpu = cpu["answered"] - cpu["start"], cpu["mailed"] - cpu["answered"]
    if booking_cpu < 0 or mail_cpu < 0:
        print("  server CPU: n/a (a worker was replaced during the storm: gunicorn's WORKER TIMEOUT)")
    else:
        print(f"  server CPU: {booking_cpu:.1f} s until the last answer ({1000 * booking_cpu / people:.1f} ms a "
              f"booking), {mail_cpu:.1f} s more until the mails left")
    print(f"  load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine "
          f"stretches wall time; compare runs made one after the other)")
    print(f"  mails at the sink: {mails} of {people} within {mail_wait} s "
          f"(last {mails_done:.2f} s after the first send)")
    met = (confirmed == seats and waiting == people - seats and confirmed_seats == seats and errors == 0
           and wall < GOAL_SECONDS)
    print(f"  {goal(met)}: exactly {seats} confirmed, {people - seats} waiting, 0 5xx, < {GOAL_SECONDS:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="postgres")
    parser.add_argument("--tree", default=str(ROOT), help="serve this checkout (e.g. a worktree of an older commit)")
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--mail-wait", type=float, default=30.0, help="seconds to wait for the mails")
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    for name in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(name, name == "postgres", tree, args.seats, args.people, args.mail_wait)


if __name__ == "__main__":
    main()
