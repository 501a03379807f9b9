"""Signed-in pages over HTTP under the production recipe: req/s as a ratio to the bare route.

Run by hand from the project root (throwaway databases, demo data):

    .venv/bin/python bench/signedin_http.py                  # SQLite, then PostgreSQL
    .venv/bin/python bench/signedin_http.py --sqlite --pages / /notifiche
    .venv/bin/python bench/signedin_http.py --role facilitatore@example.org --pages /moderazione/proposte

The recipe is bench/harness.py's (`gunicorn -c gunicorn.conf.py wsgi:app`, one gevent worker per
process, one process per core, wrk's connections split between them). Each page is asked with a
signed session cookie of the role (a live session row, as a sign-in leaves it); the bare route
is measured in the same run. The issue's goal: every signed-in page >= 0.08 of the bare route.
Beside req/s it prints the servers' CPU time per request (read from /proc during each run): on a
machine other work shares, req/s follows the load, the CPU a request costs does not.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness
from tests.conftest import make_app

GOAL = 0.08
PAGES = ("/", "/eventi", "/eventi/{event}", "/progetti/BO3.3.1.b", "/proposte/{proposal}", "/call/1",
         "/citta/bologna", "/citta/bologna/laboratori/{lab}", "/risultati/{outcome}", "/account/eventi",
         "/notifiche")


def cookie_for(url, secret, email):
    """A signed session cookie of `email` (a session row opened in the database at `url`)."""
    from civiclab.accounts.models import User
    from civiclab.extensions import db

    app = make_app(url, SECRET_KEY=secret)
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email=email))
        ids = {
            "event": db.session.scalar(sa.text("SELECT min(id) FROM events WHERE state = 'published'")),
            "proposal": db.session.scalar(sa.text("SELECT min(id) FROM proposals WHERE published_at IS NOT NULL")),
            "lab": db.session.scalar(sa.text("SELECT slug FROM labs ORDER BY id LIMIT 1")),
            "outcome": db.session.scalar(sa.text("SELECT min(id) FROM outcomes")),
        }
        cookie = harness.session_cookies(app, [user])[0]
        db.session.remove()
        db.engine.dispose()
    return cookie, ids


def settled(base, cookie):
    """The cookie as a browser holds it after its first page: that page adds the CSRF token and
    Flask-Login's freshness to the session and sends it back; a client that kept sending the first
    cookie would make every answer sign a new one."""
    import urllib.request

    answer = urllib.request.urlopen(urllib.request.Request(base + "/", headers={"Cookie": cookie}))
    if b'action="/account/esci"' not in answer.read():
        sys.exit("signing in failed: the figures would be a visitor's")
    for header in answer.headers.get_all("Set-Cookie") or ():
        if header.startswith("session="):
            return header.split(";", 1)[0]
    return cookie


def _servers(bases):
    """The pids of the gunicorn processes (masters and workers) serving `bases`."""
    binds = {f"BIND=127.0.0.1:{base.rsplit(':', 1)[1]}".encode() for base in bases}
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as environ:
                    if binds & set(environ.read().split(b"\0")):
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def _cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK")


def measured(bases, path, seconds, connections, headers=()):
    """harness.wrk's figures, and the servers' CPU ms per request during the run: the cost of a
    request whatever else the machine is doing (throughput on a busy machine is not)."""
    pids = _servers(bases)
    for attempt in range(3):  # on a saturated machine wrk may print no latency at all: try again
        before = _cpu_seconds(pids)
        try:
            rps, mean, p99, errors = harness.wrk(bases, path, seconds, connections, headers=headers)
            break
        except AttributeError:
            if attempt == 2:
                raise
    cpu = (_cpu_seconds(pids) - before) * 1000 / max(1, rps * seconds)
    return rps, mean, p99, errors, cpu


def run(postgres, pages, role, seconds, connections, tree=ROOT):
    label = "PostgreSQL" if postgres else "SQLite"
    with harness.database(postgres) as url:
        env = harness.production_env(url, tree=tree)
        harness.flask_command(tree, env, "db", "upgrade")
        harness.flask_command(tree, env, "seed-demo", "--force")
        cookie, ids = cookie_for(url, env["SECRET_KEY"], role)
        with harness.recipe("bench.harness:hello_app()", {**os.environ, "PYTHONPATH": str(ROOT)}) as bases:
            bare = measured(bases, "/", seconds, connections)  # as harness.bare_route, with its CPU
        print(f"\n== {label} · tree {tree} · {harness.PROCESSES} processes of gunicorn.conf.py · wrk -c{connections} "
              f"-d{seconds}s · signed in as {role} ==")
        print(f"{'page':40} {'req/s':>8} {'ratio':>6} {'mean ms':>8} {'p99 ms':>8} {'errors':>6} "
              f"{'CPU ms/req':>10} {'CPU ratio':>9}")
        print(f"{'bare route':40} {bare[0]:8.0f} {1:6.2f} {bare[1]:8.1f} {bare[2]:8.1f} {bare[3]:6} "
              f"{bare[4]:10.2f} {1:9.3f}")
        worst = worst_cpu = None
        with harness.recipe("wsgi:app", env, tree=tree) as bases:
            cookie = settled(bases[0], cookie)
            for template in pages:
                path = template.format(**ids)
                try:
                    harness.wrk(bases, path, 2, connections, headers=[f"Cookie: {cookie}"])  # warm-up
                except AttributeError:
                    pass  # no answer within wrk's timeout while warming up (a busy machine)
                try:
                    rps, mean, p99, errors, cpu = measured(bases, path, seconds, connections, [f"Cookie: {cookie}"])
                except AttributeError:  # wrk printed no latency: not one answer in time
                    print(f"{path[:40]:40} no answer within wrk's 2 s timeout")
                    worst = worst_cpu = 0
                    continue
                ratio, cpu_ratio = rps / bare[0], bare[4] / cpu if cpu else 0
                worst = ratio if worst is None else min(worst, ratio)
                worst_cpu = cpu_ratio if worst_cpu is None else min(worst_cpu, cpu_ratio)
                print(f"{path[:40]:40} {rps:8.0f} {ratio:6.3f} {mean:8.1f} {p99:8.1f} {errors:6} "
                      f"{cpu:10.2f} {cpu_ratio:9.3f}")
                time.sleep(0.5)
        print(f"{label}: lowest ratio {worst:.3f} (goal >= {GOAL}) -> {harness.goal(worst >= GOAL)}")
        print(f"{label}: lowest CPU ratio (bare route's CPU per request / the page's: the throughput ratio "
              f"when the servers have the cores to themselves) {worst_cpu:.3f} -> {harness.goal(worst_cpu >= GOAL)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL only")
    parser.add_argument("--pages", nargs="*", default=PAGES)
    parser.add_argument("--role", default="cittadino@example.org")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--tree", default=str(ROOT), help="the CivicLab checkout to serve (an older one, for a before figure)")
    args = parser.parse_args()
    targets = [False] if args.sqlite else [True] if args.postgres else [False, True]
    for postgres in targets:
        run(postgres, args.pages, args.role, args.seconds, args.connections, Path(args.tree).resolve())


if __name__ == "__main__":
    main()
