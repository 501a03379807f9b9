"""Growth: the same pages on the demo data plus 1 % and plus 100 % of the bench data, measured
in process (the Flask test client, as issue 13 measured them), on SQLite and PostgreSQL.

    .venv/bin/python bench/growth.py                 # both databases, 100 % = the issue's sizes
    .venv/bin/python bench/growth.py --scale 0.1     # everything ten times smaller
    .venv/bin/python bench/growth.py --sqlite        # or --postgres: one database only

100 % is `bench-data --proposals 100000 --comments 1000000 --comments-on-one 2000` (with
10,000 citizens and 200,000 supports) on top of `seed-demo`; 1 % is the same divided by 100.
For each page: p50 and p99 of --requests requests on each database (taken in turns, small then
big, so load from elsewhere weighs on both alike) and the SQL statements it runs. The goal: p99
at 100 % less than 1.5x p99 at 1 %, and the same statements. It asserts nothing.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from harness import ROOT, database, goal

SIZES = {"proposals": 100_000, "comments": 1_000_000, "comments-on-one": 2_000, "users": 10_000,
         "supports": 200_000}
RATIO_GOAL = 1.5


def flask(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "CIVICLAB_ENV": "development", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def build(url, fraction):
    """Migrations, the demo data, then the bench data at `fraction` of SIZES."""
    started = time.perf_counter()
    flask(url, "db", "upgrade")
    flask(url, "seed-demo")
    sizes = [f"--{name}={max(1, round(count * fraction))}" for name, count in SIZES.items()]
    out = flask(url, "bench-data", *sizes)
    rate = [line.strip() for line in out.splitlines() if "(done)" in line]
    print(f"    built {' '.join(sizes)} in {time.perf_counter() - started:.0f} s ({'; '.join(rate)})", flush=True)


# ---- measuring (in a process of its own, with both databases' apps) ---------------------------

def _app(url):
    from civiclab import create_app
    from config import DevelopmentConfig

    config = type("GrowthBench", (DevelopmentConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SUPPRESS_SEND": True})
    return create_app(config)


def _pages(app):
    """The pages to measure on this database: paths found from its data."""
    import sqlalchemy as sa

    from civiclab.benchdata import default_call
    from civiclab.comments.models import Comment
    from civiclab.extensions import db
    from civiclab.proposals import queries
    from civiclab.proposals.models import PUBLIC_STATES, Proposal

    try:
        from civiclab.core.pagination import CURSOR_ARG, encode_cursor
    except ImportError:  # the code before keyset pages
        CURSOR_ARG = encode_cursor = None

    with app.app_context():
        call = default_call()
        if hasattr(queries, "order_keys"):
            filters = queries.ProposalFilters()
            keys = queries.order_keys(filters)
            # A deep page: the one that starts 90 % down the list, as following "next" would reach it.
            deep = db.session.scalars(queries.proposals_select(call, filters).order_by(
                *[key.expression.desc() if key.descending else key.expression for key in keys])
                .offset(int(call.public_proposals_count * 0.9)).limit(1)).first()
            cursor = encode_cursor(f"call-{call.id}", queries._order_name(filters), keys,
                                   [key.of(deep) for key in keys])
            deep_page = f"/call/{call.id}?{CURSOR_ARG}={cursor}"
        else:  # the code before keyset pages (for before-figures): the page number 90 % down
            public = db.session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(
                Proposal.call_id == call.id, Proposal.state.in_(PUBLIC_STATES)))
            deep_page = f"/call/{call.id}?page={max(1, int(public * 0.9) // app.config['PER_PAGE'])}"
        busy = db.session.scalar(sa.select(Comment.proposal_id).group_by(Comment.proposal_id)
                                 .order_by(sa.func.count().desc()).limit(1))
        # A proposal with a handful of comments: ten, or as near as there is, the same on both.
        handful = db.session.scalar(sa.select(Proposal.id).where(Proposal.call_id == call.id).order_by(
            sa.func.abs(Proposal.comments_count - 10), Proposal.id.desc()).limit(1))
        other_call = db.session.scalar(sa.select(sa.func.max(Proposal.call_id)))
    return {
        "home /": "/",
        "call list": f"/call/{call.id}",
        "call list, deep page": deep_page,
        "other call": f"/call/{other_call}",
        "project sheet": "/progetti/BO3.3.1.b",
        "search orto": "/cerca?q=orto",
        "busy proposal": f"/proposte/{busy}",
        "handful proposal": f"/proposte/{handful}",
        "events /eventi": "/eventi",
        "city page": "/citta/bologna",
    }


def measure(urls, requests):
    """{label: {"small"/"big": (p50, p99, statements)}} printed as JSON (run in its own process)."""
    import sqlalchemy as sa

    from civiclab.extensions import db

    apps = {name: _app(url) for name, url in urls.items()}
    counted = {name: [] for name in apps}
    for name, app in apps.items():
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute",
                            lambda *args, name=name: counted[name].append(args[2]))
    paths = {name: _pages(app) for name, app in apps.items()}
    clients = {name: app.test_client() for name, app in apps.items()}
    results = {}
    for label in paths["small"]:
        times = {name: [] for name in apps}
        statements = {}
        for name in apps:  # warm up; the last one's statements are counted
            for _ in range(3):
                counted[name].clear()
                response = clients[name].get(paths[name][label])
            statements[name] = len(counted[name]) if response.status_code == 200 else f"HTTP {response.status_code}"
        for _ in range(requests):
            for name in apps:
                started = time.perf_counter()
                clients[name].get(paths[name][label])
                times[name].append((time.perf_counter() - started) * 1000)
        results[label] = {name: (statistics.median(times[name]), statistics.quantiles(times[name], n=100)[98],
                                 statements[name]) for name in apps}
    print(json.dumps(results))


def report(kind, results):
    print(f"\n{kind}: p50/p99 in ms at 1 % and 100 %, SQL statements per page")
    print(f"  {'page':22} {'p50 1%':>8} {'p99 1%':>8} {'p50 100%':>9} {'p99 100%':>9} {'x p50':>6} {'x p99':>6}"
          f"  {'stmts':>9}  goal (x p99 < {RATIO_GOAL}, same statements)")
    met_all = True
    for label, row in results.items():
        (s50, s99, s_n), (b50, b99, b_n) = row["small"], row["big"]
        ratio = b99 / s99 if s99 else float("inf")
        met = ratio < RATIO_GOAL and s_n == b_n
        met_all &= met
        print(f"  {label:22} {s50:8.1f} {s99:8.1f} {b50:9.1f} {b99:9.1f} {b50 / s50:6.2f} {ratio:6.2f}"
              f"  {f'{s_n}/{b_n}':>9}  {goal(met)}")
    print(f"  {kind}: every page p99 x < {RATIO_GOAL} and statements unchanged: {goal(met_all)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="shrink every size (0.1: ten times smaller)")
    parser.add_argument("--requests", type=int, default=50, help="requests per page and database (25 at least)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL only")
    parser.add_argument("--measure", nargs=2, metavar=("SMALL_URL", "BIG_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, str(ROOT))
        return measure({"small": args.measure[0], "big": args.measure[1]}, max(args.requests, 25))
    kinds = [kind for kind, chosen in (("sqlite", args.sqlite), ("postgres", args.postgres)) if chosen] \
        or ["sqlite", "postgres"]
    print(f"growth at scale {args.scale}: 100 % = " + ", ".join(
        f"{name} {round(count * args.scale):,}" for name, count in SIZES.items()), flush=True)
    for kind in kinds:
        print(f"\n{kind}:", flush=True)
        with database(kind == "postgres") as small, database(kind == "postgres") as big:
            build(small, 0.01 * args.scale)
            build(big, args.scale)
            done = subprocess.run([sys.executable, __file__, "--measure", small, big, "--requests", str(args.requests)],
                                  cwd=ROOT, env={**os.environ, "CIVICLAB_ENV": "development"},
                                  capture_output=True, text=True, check=False)
            if done.returncode:
                sys.exit(f"measuring failed:\n{done.stderr[-3000:]}")
            report(kind, json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
