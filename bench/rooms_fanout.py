"""Rooms under fan-out: N clients in one room, one sender; delivery latency, deliveries per
second and the time a room takes to fill, of CivicLab's /rooms namespace beside a minimal
python-socketio broadcast server measured in the same run, so the ratios show what CivicLab's
persistence and checks cost.

Run by hand from the project root (it builds its own throwaway databases, never touches yours):

    .venv/bin/python bench/rooms_fanout.py                      # SQLite and PostgreSQL, N = 100, 500, 1000
    .venv/bin/python bench/rooms_fanout.py --db postgres --clients 500 --messages 50
    .venv/bin/python bench/rooms_fanout.py --redis redis://127.0.0.1:6379/15   # Socket.IO via Redis
    .venv/bin/python bench/rooms_fanout.py --tree /tmp/rooms-before             # serve another checkout

Both servers run as the production recipe: `gunicorn -c gunicorn.conf.py`, one process
(bench/harness.py recipe(processes=1)), on loopback ports. CivicLab runs ProductionConfig with
the production environment (harness.production_env), its room message rate limit raised out of the
way of one fast sender; it gets a lab's public room and N + 1 confirmed users (their session
cookies are signed here with the server's SECRET_KEY, so no password is hashed). The minimal
server has the same event names and payload shape, and nothing else: no database, no session, no
permission, no presence.

The N clients are python-socketio AsyncClients (WebSocket transport) spread over a few processes
(--client-processes), so the client side is not the bottleneck; every message body carries its
send time, so each delivery's latency is read where it lands. For each N and server:
- fill: the time from the first client's connect to the last client's join acknowledgement
  (everyone connected and joined);
- latency: `--messages` messages at `--rate` per second, each sent once the previous one is
  acknowledged; the p50/p95/p99 delivery latency over every (message, client) pair;
- throughput: `--messages` messages back to back (each after the previous acknowledgement);
  deliveries per second = deliveries / (last delivery - first send).
The goal (issue 13), for every N and database: CivicLab's p99 at most 1.5x the minimal server's,
its throughput at least 0.6x; a 1,000-person room fills within 2x of the minimal server's time.
Everything (servers, clients) shares this machine's cores, so absolute figures are for comparison
within one run.
"""
import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "/rooms"
BODY = re.compile(r"bench:(\w+):(\d+):(\d+\.\d+)")
SECRET_KEY = "bench-only-" + "x" * 40  # harness.production_env's: cookies are signed with it
ROOM_MESSAGE_LIMIT = "100000 per minute"  # one sender sends far faster than a person types
GOAL_P99, GOAL_THROUGHPUT, GOAL_FILL, FILL_AT = 1.5, 0.6, 2.0, 1000


# --- the two servers, loaded by gunicorn in its gevent worker (after monkey patching) ----------
# Nothing at this module's top level touches sys.path: the server imports `civiclab` and `config`
# from the tree it serves (--tree), first on its PYTHONPATH.

def minimal_app():
    """A python-socketio broadcast server: join puts the client in the room, a message is
    acknowledged and broadcast. No database, no session, no checks."""
    import socketio

    redis_url = os.environ.get("REDIS_URL")
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


def civiclab_app():
    """The CivicLab app as wsgi.py builds it in production (ProductionConfig, read from the
    environment), but for the room message rate limit, raised out of a fast sender's way."""
    from civiclab import create_app
    from config import ProductionConfig

    return create_app(type("BenchConfig", (ProductionConfig,), {"RATELIMIT_ROOM_MESSAGE": ROOM_MESSAGE_LIMIT}))


# --- a client process: `count` clients in one room, recording latencies -----------------------

async def client_worker(spec):
    import socketio

    count, received = spec["count"], {}
    expected = {phase: spec["messages"] * count for phase in ("lat", "burst")}
    latencies = {"lat": [], "burst": []}
    last_seen = {"lat": 0.0, "burst": 0.0}
    clients, refused, dropped, last_event = [], [], [0], [time.monotonic()]

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
            try:
                await client.connect(spec["url"], headers=headers, namespaces=[NAMESPACE],
                                     transports=["websocket"], wait_timeout=60)
                answer = await client.call("join", {"room": spec["room"], "after": spec["after"]},
                                           namespace=NAMESPACE, timeout=120)
            except (socketio.exceptions.SocketIOError, OSError) as error:  # counted: the row says who never got in
                answer = repr(error)
            if not isinstance(answer, dict) or not answer.get("ok"):
                refused.append(str(answer)[:200])
                await client.disconnect()
                return
            clients.append(client)

    gate = asyncio.Semaphore(25)
    fill_started = time.time()
    await asyncio.gather(*(one(cookie, gate) for cookie in spec["cookies"]))
    fill_ended = time.time()  # every client of this process connected and joined
    expected.update({phase: spec["messages"] * len(clients) for phase in expected})
    if refused:
        print(f"bench: {len(refused)} clients could not join, e.g. {refused[0]}", file=sys.stderr, flush=True)
    # Ready once what the joins caused (presence announcements) has been delivered: a second
    # without any event, so the measured phases do not queue behind it.
    deadline = time.monotonic() + 600
    while time.monotonic() - last_event[0] < 1.0 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print(json.dumps({"ready": len(clients), "refused": len(refused), "fill": [fill_started, fill_ended]}),
          flush=True)

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


def fill(database_url, people):
    """Schema by the migrations, a lab (its public room comes with it) and `people` + 1 confirmed
    users; returns (room id, [session cookie of each user], the sender's first)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from harness import session_cookies

    from civiclab import create_app
    from civiclab.accounts.models import User
    from civiclab.core.time import utcnow
    from civiclab.extensions import db
    from civiclab.places.models import City, Lab
    from civiclab.rooms.models import Room, RoomKind
    from config import DevelopmentConfig

    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY,
                "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": None,
                "MAIL_FILE_DIR": tempfile.mkdtemp(prefix="civiclab-bench-mail-")}
    app = create_app(type("FillConfig", (DevelopmentConfig,), settings))
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
        cookies = session_cookies(app, users)  # each person signed in once: a session row each
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
    fills, refused = [], 0
    for worker in workers:
        ready = await read_json(worker.stdout, 900)
        assert "ready" in ready, ready
        fills.append(ready["fill"])
        refused += ready["refused"]
    fill_seconds = max(end for _, end in fills) - min(start for start, _ in fills)

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
        "fill_s": fill_seconds, "dropped": dropped, "refused": refused,
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
                f" {figures['refused']} clients never joined, {figures['dropped']} disconnected")
    print(f"N={n:<5} {name:<9} fill {figures['fill_s']:6.2f} s  p50 {figures['p50']:7.1f}  "
          f"p95 {figures['p95']:7.1f}  p99 {figures['p99']:7.1f} ms  {figures['throughput']:8.0f} deliveries/s"
          f"  (ack p50 {figures['ack_p50']:.1f} ms, burst ack p50 {figures['ack_burst_p50']:.1f} ms,"
          f" burst p99 {figures['burst_p99']:.0f} ms){lost}", flush=True)


def verdict(n, base, ours):
    """(the ratio line of one row, whether its goals are met)."""
    p99, rate = ours["p99"] / base["p99"], ours["throughput"] / base["throughput"]
    fill = ours["fill_s"] / base["fill_s"]
    complete = ours["lat_delivered"] == ours["burst_delivered"] == 1 and not ours["dropped"]
    met = p99 <= GOAL_P99 and rate >= GOAL_THROUGHPUT and complete and (n != FILL_AT or fill <= GOAL_FILL)
    from harness import goal

    note = "" if complete else " (CivicLab lost deliveries or clients)"
    fill_goal = f" (goal <= {GOAL_FILL:g})" if n == FILL_AT else ""
    return (f"p50 x{ours['p50'] / base['p50']:.2f}  p99 x{p99:.2f}  throughput x{rate:.2f}  "
            f"fill x{fill:.2f}{fill_goal}  {goal(met)}{note}"), met


async def run_database(args, postgres, sizes):
    """Both servers on one throwaway database; returns [(n, minimal figures, CivicLab's)]."""
    from harness import database, production_env, recipe

    name = "PostgreSQL" if postgres else "SQLite"
    tree = Path(args.tree).resolve()
    rows = []
    with ExitStack() as stack:
        url_db = stack.enter_context(database(postgres))
        print(f"bench: {name}: filling with {max(sizes) + 1} users", flush=True)
        room, cookies = fill(url_db, max(sizes))
        env = production_env(url_db, PYTHONPATH=f"{tree}{os.pathsep}{ROOT / 'bench'}",
                             WORKER_CONNECTIONS="5000", REDIS_URL=args.redis or "")
        if not args.redis:
            env.pop("REDIS_URL")
        minimal = stack.enter_context(recipe("rooms_fanout:minimal_app()", env, tree=tree, processes=1))[0]
        civiclab = stack.enter_context(recipe("rooms_fanout:civiclab_app()", env, tree=tree, processes=1))[0]
        print(f"bench: {name}: CivicLab from {tree}; {args.messages} messages at {args.rate}/s, then "
              f"{args.messages} back to back; latencies in ms; Redis {'on ' + args.redis if args.redis else 'off'}",
              flush=True)
        for n in sizes:
            base = await measure(minimal, 1, [""] * n, "", args, 0)
            show(n, "minimal", base)
            ours = await measure(civiclab, room, cookies[1:n + 1], cookies[0], args, last_message_id(url_db))
            show(n, "CivicLab", ours)
            rows.append((n, base, ours))
    return rows


async def run(args):
    sizes = [int(n) for n in args.clients.split(",")]
    databases = {"sqlite": [False], "postgres": [True], "both": [False, True]}[args.db]
    table = []
    for postgres in databases:
        table += [("PostgreSQL" if postgres else "SQLite", *row) for row in await run_database(args, postgres, sizes)]
    print(f"\nratios CivicLab / minimal (goal: p99 <= {GOAL_P99:g}x, throughput >= {GOAL_THROUGHPUT:g}x "
          f"at every N; a {FILL_AT}-person room fills within {GOAL_FILL:g}x)")
    for name, n, base, ours in table:
        line, _met = verdict(n, base, ours)
        print(f"{name:<10} N={n:<5} {line}", flush=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--client-worker":
        asyncio.run(client_worker(json.loads(sys.argv[2])))
        return
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # the coordinator only: harness, civiclab to fill
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="100,500,1000", help="room sizes, comma separated")
    parser.add_argument("--messages", type=int, default=100, help="messages in each phase")
    parser.add_argument("--rate", type=float, default=20, help="messages per second, latency phase")
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--settle", type=float, default=60, help="seconds to wait for deliveries")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--redis", help="a Redis URL: both servers' Socket.IO go through it")
    parser.add_argument("--tree", default=str(ROOT), help="the CivicLab checkout to serve (default: this one)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
