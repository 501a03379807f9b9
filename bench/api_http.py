"""The API over HTTP under the production recipe (bench/harness.py): requests per second and
latency of the API's read endpoints, as a visitor and with a token, each a ratio to the bare Flask
route measured the same way in the same run, on SQLite and PostgreSQL; and the same list with
1,000 comments behind it, to see that a page's cost does not grow with the list.

The data: `flask seed-demo --force` on a throwaway database, a read token of the demo citizen
(`flask api-token create`), and 1,000 comments on one published proposal. Every row is checked
first: 200 and JSON. Goal (issue 14's lists, as the visitor pages' of issue 13 before their cache):
each read >= 0.10 of the bare route, with p99 < 100 ms at 32 connections.

    .venv/bin/python bench/api_http.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/api_http.py --db postgres --seconds 5

Run by hand from the project root; it prints figures, it asserts nothing.
"""
import argparse
import json
import sys
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import (
    PROCESSES,
    ROOT,
    bare_route,
    database,
    flask_command,
    goal,
    production_env,
    recipe,
    wrk,
)
from bench.pages_http import bench_app

RATIO_GOAL, P99_MS = 0.10, 100.0
COMMENTS = 1_000


def prepare(url, secret_key):
    """1,000 comments on a published proposal (through the models, as the pages write them); the
    addresses to measure."""
    from civiclab.comments.models import Comment
    from civiclab.extensions import db

    app = bench_app(url, secret_key)
    with app.app_context():
        one = lambda sql: db.session.execute(sa.text(sql)).scalar()
        proposal = one("SELECT p.id FROM proposals p WHERE p.state = 'accepted' ORDER BY p.id")
        author = one("SELECT id FROM users WHERE email = 'cittadino@example.org'")
        db.session.add_all([Comment(proposal_id=proposal, author_id=author, body=f"Commento {n}",
                                    body_html=f"<p>Commento {n}</p>") for n in range(COMMENTS)])
        db.session.commit()
        event = one("SELECT id FROM events WHERE state = 'published' ORDER BY id")
        call = one(f"SELECT call_id FROM proposals WHERE id = {proposal}")
        outcome = one("SELECT id FROM outcomes ORDER BY id")
    return ["/api/v1/cities", "/api/v1/labs", "/api/v1/projects", "/api/v1/projects?city=bologna",
            "/api/v1/outcomes", f"/api/v1/outcomes/{outcome}", "/api/v1/events?city=bologna",
            f"/api/v1/events/{event}", "/api/v1/calls", f"/api/v1/calls/{call}", "/api/v1/proposals",
            "/api/v1/proposals?text=laboratorio", f"/api/v1/proposals/{proposal}",
            f"/api/v1/proposals/{proposal}/comments", f"/api/v1/proposals/{proposal}/comments?limit=100"]


def check(base, path, headers):
    request = urllib.request.Request(base + path, headers=dict(h.split(": ", 1) for h in headers))
    with urllib.request.urlopen(request) as response:
        if response.status != 200 or response.headers.get_content_type() != "application/json":
            sys.exit(f"{path}: {response.status} {response.headers.get_content_type()}")
        json.loads(response.read())


def measure(bases, path, seconds, connections, headers):
    for _attempt in range(3):
        try:
            return wrk(bases, path, seconds, connections, headers=headers)
        except AttributeError:
            time.sleep(2)
    return 0.0, 0.0, 0.0, 1


def run(postgres, tree, seconds, connections):
    for _attempt in range(3):
        try:
            bare = bare_route(seconds, connections)
            break
        except AttributeError:
            time.sleep(2)
    else:
        sys.exit("wrk could not time the bare route: the machine is too busy to measure")
    with database(postgres) as url:
        env = production_env(url, tree=tree, RATELIMIT_API_READ="1000000 per minute")
        flask_command(tree, env, "db", "upgrade")
        flask_command(tree, env, "seed-demo", "--force")
        token = flask_command(tree, env, "api-token", "create", "cittadino@example.org", "--name", "bench").strip()
        paths = prepare(url, env["SECRET_KEY"])
        print(f"\n{'PostgreSQL' if postgres else 'SQLite'} · gunicorn -c gunicorn.conf.py × {PROCESSES} processes · "
              f"wrk {connections} connections, {seconds} s a row")
        print(f"{'request':64} {'req/s':>8} {'ratio':>6} {'mean ms':>8} {'p99 ms':>8} {'errors':>6}")
        print(f"{'bare route':64} {bare[0]:8.0f} {1:6.2f} {bare[1]:8.1f} {bare[2]:8.1f} {bare[3]:6}", flush=True)
        missed = 0
        with recipe("wsgi:app", env, tree=tree) as bases:
            for who, headers in (("visitor", ()), ("token", (f"Authorization: Bearer {token}",))):
                for path in paths:
                    for base in bases:
                        check(base, path, headers)
                    rps, mean, p99, errors = measure(bases, path, seconds, connections, headers)
                    ratio = rps / bare[0]
                    met = ratio >= RATIO_GOAL and p99 < P99_MS and not errors
                    missed += not met
                    print(f"{who + ' ' + path:64} {rps:8.0f} {ratio:6.2f} {mean:8.1f} {p99:8.1f} {errors:6}  "
                          f"{goal(met)}", flush=True)
                    time.sleep(0.5)
        print(f"{'all goals met' if not missed else f'{missed} goal(s) MISSED'} ({'PostgreSQL' if postgres else 'SQLite'})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--tree", default=str(ROOT), help="the CivicLab checkout to serve")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    for postgres in {"sqlite": [False], "postgres": [True], "both": [False, True]}[args.db]:
        run(postgres, tree, args.seconds, args.connections)


if __name__ == "__main__":
    main()
