"""Rooms under fan-out: N clients in one room, one sender; delivery latency and deliveries per
second of CivicLab's /rooms namespace, beside a minimal python-socketio broadcast server measured
in the same run, so the ratio shows what CivicLab's persistence and checks cost.

Run by hand from the project root (it builds its own throwaway database, never touches yours):

    .venv/bin/python bench/rooms_fanout.py                      # SQLite, N = 100, 500, 1000
    .venv/bin/python bench/rooms_fanout.py --postgres           # PostgreSQL (PG_ADMIN_URL)
    .venv/bin/python bench/rooms_fanout.py --redis redis://127.0.0.1:6379/15   # via Redis
    .venv/bin/python bench/rooms_fanout.py --clients 500 --messages 50

Both servers run as in production: `gunicorn -k gevent -w 1` on loopback ports. CivicLab gets a
lab's public room, N + 1 confirmed users (their session cookies are signed here with the server's
SECRET_KEY, so no password is hashed) and its room message rate limit raised out of the way
of one fast sender. The minimal server has the same event names and payload shape, and nothing
else: no database, no session, no permission.

The N clients are python-socketio AsyncClients (WebSocket transport) spread over a few processes;
every message body carries its send time, so each delivery's latency is read where it lands.
For each N and server, two phases:
- latency: `--messages` messages at `--rate` per second, each sent once the previous one is
  acknowledged; the p50/p95/p99 delivery latency over every (message, client) pair;
- throughput: `--messages` messages back to back (each after the previous acknowledgement);
  deliveries per second = deliveries / (last delivery - first send).
The goal at 500 clients: CivicLab's p99 within 2x the minimal server's, its throughput at least
half. Everything (servers, clients) shares this machine's cores, so absolute figures are for
comparison within one run.
"""
import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.services import free_port, wait_for_port  # noqa: E402  (after the path)

NAMESPACE = "/rooms"
BODY = re.compile(r"bench:(\w+):(\d+):(\d+\.\d+)")
SECRET_KEY = "bench-only-" + "x" * 40  # the throwaway server's; sessions are signed with it
ROOM_MESSAGE_LIMIT = "100000 per minute"  # one sender sends far faster than a person types


# --- the two servers, loaded by gunicorn in its gevent worker (after monkey patching) ----------

def minimal_app():
    """A python-socketio broadcast server: join puts the client in the room, a message is
    acknowledged and broadcast. No database, no session, no checks."""
    import socketio

    redis_url = os.environ.get("BENCH_REDIS_URL")
    manager = socketio.RedisManager(redis_url) if redis_url else None
    sio = socketio.Server(async_mode="gevent", client_manager=manager)
    counter = iter(range(1, 10**9))

    @sio.on("join", namespace=NAMESPACE)
    def join(sid, data):
        sio.enter_room(sid, f"room:{data['room']}", namespace=NAMESPACE)
        return {"ok": True}

    @sio.on("message", namespace=NAMESPACE)
    def message(sid, data):
        payload = {"id": next(counter), "room": data["room"], "html": data["body"], "key": data.get("key")}
        sio.emit("message", payload, to=f"room:{data['room']}", namespace=NAMESPACE)
        return {"ok": True, "message": payload}

    return socketio.WSGIApp(sio)


def civiclab_config(database_url, redis_url=None):
    from config import DevelopmentConfig

    overrides = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": SECRET_KEY,
        "REDIS_URL": redis_url,
        "SOCKETIO_ASYNC_MODE": "gevent",
        "RATELIMIT_ROOM_MESSAGE": ROOM_MESSAGE_LIMIT,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "MAIL_FILE_DIR": tempfile.mkdtemp(prefix="civiclab-bench-mail-"),
    }
    return type("BenchConfig", (DevelopmentConfig,), overrides)


def civiclab_app():
    """The CivicLab app, as wsgi.py builds it, on the bench's database."""
    from civiclab import create_app

    app = create_app(civiclab_config(os.environ["BENCH_DATABASE_URL"],
                                     os.environ.get("BENCH_REDIS_URL") or None))
    if os.environ.get("BENCH_PRESENCE") == "off":
        # Diagnosis only (--presence-off): joins and leaves announce nothing to the room.
        from civiclab.rooms import sockets

        sockets._announce_presence = lambda room_id: None
    return app


# --- a client process: `count` clients in one room, recording latencies -----------------------

async def client_worker(spec):
    import socketio

    count, received = spec["count"], {}
    expected = {phase: spec["messages"] * count for phase in ("lat", "burst")}
    latencies = {"lat": [], "burst": []}
    last_seen = {"lat": 0.0, "burst": 0.0}
    clients, dropped, last_event = [], [0], [time.monotonic()]

    def on_any(*_args):
        last_event[0] = time.monotonic()

    def on_disconnect(*_args):
        dropped[0] += 1

    def on_message(data):
        now = time.time()
        last_event[0] = time.monotonic()
        found = BODY.search(data.get("html") or "")
        if not found:
            return
        phase, sent = found.group(1), float(found.group(3))
        latencies[phase].append((now - sent) * 1000)
        last_seen[phase] = now
        received[phase] = received.get(phase, 0) + 1
        if received[phase] == expected[phase]:
            print(json.dumps({"complete": phase}), flush=True)

    async def one(cookie, gate):
        async with gate:
            client = socketio.AsyncClient(reconnection=False)
            client.on("message", on_message, namespace=NAMESPACE)
            client.on("*", on_any, namespace=NAMESPACE)
            client.on("disconnect", on_disconnect, namespace=NAMESPACE)
            headers = {"Cookie": cookie} if cookie else {}
            await client.connect(spec["url"], headers=headers, namespaces=[NAMESPACE],
                                 transports=["websocket"], wait_timeout=60)
            answer = await client.call("join", {"room": spec["room"], "after": spec["after"]},
                                       namespace=NAMESPACE, timeout=120)
            if not isinstance(answer, dict) or not answer.get("ok"):
                raise RuntimeError(f"join refused: {answer}")
            clients.append(client)

    gate = asyncio.Semaphore(25)
    await asyncio.gather(*(one(cookie, gate) for cookie in spec["cookies"]))
    # Ready once what the joins caused (presence announcements) has been delivered: a second
    # without any event, so the measured phases do not queue behind it.
    deadline = time.monotonic() + 600
    while time.monotonic() - last_event[0] < 1.0 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print(json.dumps({"ready": len(clients)}), flush=True)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: (sys.stdin.readline(), stop.set()))
    await stop.wait()
    print(json.dumps({"latencies": latencies, "last_seen": last_seen, "dropped": dropped[0]}), flush=True)
    await asyncio.gather(*(client.disconnect() for client in clients), return_exceptions=True)


# --- the coordinator ------------------------------------------------------------------------

def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextmanager
def gunicorn(factory, env):
    """`gunicorn -k gevent -w 1` serving `factory` on a free loopback port; yields the URL."""
    port = free_port()
    command = [str(ROOT / ".venv/bin/gunicorn"), "-k", "gevent", "-w", "1",
               "--bind", f"127.0.0.1:{port}", "--worker-connections", "5000", "--timeout", "300",
               "--log-level", "warning", "--chdir", str(ROOT), "--pythonpath", str(ROOT / "bench"),
               f"rooms_fanout:{factory}()"]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def database(postgres):
    if postgres:
        from tests.conftest import temporary_postgres_database

        with temporary_postgres_database() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix="civiclab-bench-") as folder:
            yield f"sqlite:///{folder}/civiclab.sqlite3"


def fill(database_url, people):
    """Schema by the migrations, a lab (its public room comes with it) and `people` + 1 confirmed
    users; returns (room id, [session cookie of each user], the sender's first)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from civiclab import create_app
    from civiclab.accounts.models import User
    from civiclab.accounts.sessions import open_session
    from civiclab.core.time import utcnow
    from civiclab.extensions import db
    from civiclab.places.models import City, Lab
    from civiclab.rooms.models import Room, RoomKind

    config = civiclab_config(database_url)
    app = create_app(type("FillConfig", (config,), {"SOCKETIO_ASYNC_MODE": "threading"}))
    with app.app_context():
        upgrade()
        now = utcnow()
        city = City(name="Bologna", slug="bologna", region="Emilia-Romagna")
        lab = Lab(city=city, name="Laboratorio Aperto Bologna", slug="bologna")
        users = [User(email=f"persona{n}@example.org", display_name=f"Persona {n}",
                      privacy_consent_at=now, email_confirmed_at=now) for n in range(people + 1)]
        db.session.add_all([city, lab, *users])
        db.session.commit()
        room_id = db.session.scalar(sa.select(Room.id).where(Room.lab_id == lab.id, Room.kind == RoomKind.LAB))
        signer = app.session_interface.get_signing_serializer(app)
        for user in users:  # each person signed in once: a session row the cookie names
            open_session(user, user_agent="bench")
        db.session.commit()
        cookies = [f"session={signer.dumps({'_user_id': user.get_id(), '_fresh': True})}" for user in users]
        db.engine.dispose()
    return room_id, cookies


def last_message_id(database_url):
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM room_messages")).scalar()
    finally:
        engine.dispose()


async def read_json(stream, timeout):
    line = await asyncio.wait_for(stream.readline(), timeout)
    if not line:
        raise RuntimeError("a client process ended early (see its error above)")
    return json.loads(line)


async def measure(url, room, cookies, sender_cookie, args, after):
    """One round: len(cookies) clients listening, one sender; returns the figures."""
    import socketio

    procs = max(1, min(args.client_processes, len(cookies) // 50 or 1))
    shares = [cookies[i::procs] for i in range(procs)]
    workers = []
    for share in shares:
        spec = {"url": url, "room": room, "after": after, "cookies": share, "count": len(share),
                "messages": args.messages}
        workers.append(await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--client-worker", json.dumps(spec),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT, limit=2**26))
    started = time.monotonic()
    for worker in workers:
        ready = await read_json(worker.stdout, 600)
        assert "ready" in ready, ready
    connect_seconds = time.monotonic() - started

    sender = socketio.AsyncClient(reconnection=False)
    await sender.connect(url, headers={"Cookie": sender_cookie} if sender_cookie else {},
                         namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=60)
    await sender.call("join", {"room": room, "after": after}, namespace=NAMESPACE, timeout=60)
    await asyncio.sleep(1)  # the sender's own presence announcement
    acks = []

    async def send(phase, seq):
        sent = time.time()
        answer = await sender.call("message", {"room": room, "body": f"bench:{phase}:{seq}:{sent:.6f}",
                                               "key": uuid.uuid4().hex}, namespace=NAMESPACE, timeout=60)
        if not isinstance(answer, dict) or not answer.get("ok"):
            raise RuntimeError(f"message refused: {answer}")
        acks.append((time.time() - sent) * 1000)
        return sent

    async def wait_complete(phase):
        pending = set(range(len(workers)))
        deadline = time.monotonic() + args.settle
        while pending and time.monotonic() < deadline:
            for index in list(pending):
                try:
                    line = await read_json(workers[index].stdout, 0.05)
                except TimeoutError:
                    continue
                if line.get("complete") == phase:
                    pending.discard(index)
        return not pending

    for seq in range(args.messages):
        sent = await send("lat", seq)
        await asyncio.sleep(max(0.0, sent + 1 / args.rate - time.time()))
    lat_complete = await wait_complete("lat")
    lat_acks = list(acks)
    acks.clear()
    burst_start = None
    for seq in range(args.messages):
        sent = await send("burst", seq)
        burst_start = burst_start or sent
    burst_complete = await wait_complete("burst")
    await sender.disconnect()

    latencies, last_seen, dropped = {"lat": [], "burst": []}, 0.0, 0
    for worker in workers:
        worker.stdin.write(b"stop\n")
        await worker.stdin.drain()
        while True:
            result = await read_json(worker.stdout, 120)
            if "latencies" in result:
                break
        for phase in latencies:
            latencies[phase] += result["latencies"][phase]
        last_seen = max(last_seen, result["last_seen"]["burst"])
        dropped += result["dropped"]
    for worker in workers:
        await worker.wait()
    expected = args.messages * len(cookies)
    return {
        "connect_s": connect_seconds, "dropped": dropped,
        "p50": percentile(latencies["lat"], 50), "p95": percentile(latencies["lat"], 95),
        "p99": percentile(latencies["lat"], 99),
        "lat_delivered": len(latencies["lat"]) / expected, "lat_complete": lat_complete,
        "ack_p50": percentile(lat_acks, 50), "ack_burst_p50": percentile(acks, 50),
        "burst_p99": percentile(latencies["burst"], 99),
        "throughput": len(latencies["burst"]) / max(1e-9, last_seen - burst_start),
        "burst_delivered": len(latencies["burst"]) / expected, "burst_complete": burst_complete,
    }


def show(n, name, figures):
    lost = ""
    if figures["lat_delivered"] < 1 or figures["burst_delivered"] < 1 or figures["dropped"]:
        lost = (f"  delivered {figures['lat_delivered']:.1%} / {figures['burst_delivered']:.1%},"
                f" {figures['dropped']} clients disconnected")
    print(f"N={n:<5} {name:<9} p50 {figures['p50']:7.1f}  p95 {figures['p95']:7.1f}  "
          f"p99 {figures['p99']:7.1f} ms   {figures['throughput']:8.0f} deliveries/s   "
          f"(ack p50 {figures['ack_p50']:.1f} ms, burst ack p50 {figures['ack_burst_p50']:.1f} ms, "
          f"burst p99 {figures['burst_p99']:.0f} ms, connected, joined and quiet in {figures['connect_s']:.1f} s){lost}",
          flush=True)


async def run(args):
    sizes = [int(n) for n in args.clients.split(",")]
    with ExitStack() as stack:
        url_db = stack.enter_context(database(args.postgres))
        print(f"bench: filling {'PostgreSQL' if args.postgres else 'SQLite'} with {max(sizes) + 1} users",
              flush=True)
        room, cookies = fill(url_db, max(sizes))
        env = {"BENCH_DATABASE_URL": url_db, "BENCH_REDIS_URL": args.redis or "",
               "BENCH_PRESENCE": "off" if args.presence_off else "on"}
        minimal = stack.enter_context(gunicorn("minimal_app", env))
        civiclab = stack.enter_context(gunicorn("civiclab_app", env))
        print(f"bench: {args.messages} messages at {args.rate}/s, then {args.messages} back to back; "
              f"latencies in ms; Redis {'on ' + args.redis if args.redis else 'off'}"
              f"{'; CivicLab presence OFF' if args.presence_off else ''}", flush=True)
        rows = []
        for n in sizes:
            base = await measure(minimal, 1, [""] * n, "", args, 0)
            show(n, "minimal", base)
            if args.minimal_only:
                continue
            ours = await measure(civiclab, room, cookies[1:n + 1], cookies[0], args,
                                 last_message_id(url_db))
            show(n, "CivicLab", ours)
            rows.append((n, base, ours))
        print("\nratios CivicLab / minimal (goal at 500: p99 <= 2x, throughput >= 0.5x)")
        for n, base, ours in rows:
            p99, rate = ours["p99"] / base["p99"], ours["throughput"] / base["throughput"]
            verdict = ""
            complete = (ours["lat_delivered"] == ours["burst_delivered"] == 1 and not ours["dropped"])
            if n == 500:
                verdict = "  goal met" if p99 <= 2 and rate >= 0.5 and complete else "  goal MISSED"
            if not complete:
                verdict += " (CivicLab lost deliveries or clients)"
            print(f"N={n:<5} p50 x{ours['p50'] / base['p50']:.2f}  p99 x{p99:.2f}  "
                  f"throughput x{rate:.2f}{verdict}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--client-worker":
        asyncio.run(client_worker(json.loads(sys.argv[2])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="100,500,1000", help="room sizes, comma separated")
    parser.add_argument("--messages", type=int, default=100, help="messages in each phase")
    parser.add_argument("--rate", type=float, default=20, help="messages per second, latency phase")
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--settle", type=float, default=60, help="seconds to wait for deliveries")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on PG_ADMIN_URL")
    parser.add_argument("--presence-off", action="store_true",
                        help="diagnosis: CivicLab announces no presence on join and leave")
    parser.add_argument("--minimal-only", action="store_true", help="check the harness alone")
    parser.add_argument("--redis", help="a Redis URL: both servers' Socket.IO go through it")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
