"""Pages over HTTP under the production recipe (bench/harness.py): requests per second and latency
of the public pages as a visitor and as signed-in people, each a ratio to the bare Flask route
measured the same way in the same run, on SQLite and PostgreSQL.

The data: `flask seed-demo --force` on a throwaway database, plus 200 comments on one published
proposal. Visitor rows send no cookie (checked: the page shows no "Esci"; a row marked
"Set-Cookie!" got a session cookie back, so no shared cache could keep that page); signed-in rows send a signed session cookie of the demo citizen (or of the
facilitator, for the moderation queue), checked to show "Esci". Goals (issue 13), at 32
connections: a visitor's page >= 0.25 of the bare route with p99 < 50 ms; a signed-in page
>= 0.08 of the bare route.

    .venv/bin/python bench/pages_http.py                         # SQLite and PostgreSQL
    .venv/bin/python bench/pages_http.py --db sqlite --seconds 5
    .venv/bin/python bench/pages_http.py --db postgres --redis redis://127.0.0.1:6379/14
    git worktree add /tmp/before a039ef2 && ln -s "$PWD/static/vendor" /tmp/before/static/vendor \\
        && ln -s "$PWD/node_modules" /tmp/before/node_modules
    .venv/bin/python bench/pages_http.py --tree /tmp/before      # another checkout, same harness

Run by hand from the project root; it prints figures, it asserts nothing.
"""
import argparse
import sys
import time
import urllib.error
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
    session_cookies,
    wrk,
)

VISITOR_GOAL, VISITOR_P99_MS, SIGNED_IN_GOAL = 0.25, 50.0, 0.08
COMMENTS = 200


def bench_app(url, secret_key):
    """This checkout's app on the bench database (to add rows and sign people in)."""
    from civiclab import create_app
    from config import TestingConfig

    config = type("BenchConfig", (TestingConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key, "SERVER_NAME": None,
        "PAGE_CACHE_ENABLED": False})
    return create_app(config)


def prepare(url, secret_key):
    """200 comments on a published proposal; the rows the pages are about; session cookies of the
    citizen and the facilitator. Returns (visitor paths, citizen paths, facilitator paths, cookies)."""
    from civiclab.accounts.models import User
    from civiclab.comments.models import Comment
    from civiclab.extensions import db

    app = bench_app(url, secret_key)
    with app.app_context():
        one = lambda sql: db.session.execute(sa.text(sql)).scalar()
        proposal = one("SELECT p.id FROM proposals p JOIN calls c ON c.id = p.call_id "
                       "WHERE p.state = 'accepted' ORDER BY p.id")
        citizen = db.session.scalar(sa.select(User).where(User.email == "cittadino@example.org"))
        facilitator = db.session.scalar(sa.select(User).where(User.email == "facilitatore@example.org"))
        for n in range(COMMENTS):
            db.session.add(Comment(proposal_id=proposal, author_id=citizen.id, body=f"Commento {n}",
                                   body_html=f"<p>Commento {n} sulla proposta.</p>"))
        db.session.commit()
        call = one(f"SELECT call_id FROM proposals WHERE id = {proposal}")
        event = one("SELECT id FROM events WHERE state = 'published' ORDER BY starts_at DESC, id")
        lab = db.session.execute(sa.text(
            "SELECT c.slug, l.slug FROM labs l JOIN cities c ON c.id = l.city_id WHERE c.slug = 'bologna'")).first()
        outcome = one("SELECT id FROM outcomes ORDER BY id")
        cookies = session_cookies(app, [citizen, facilitator])
    public = ["/", "/eventi", f"/eventi/{event}", "/progetti/BO3.3.1.b", f"/proposte/{proposal}",
              f"/call/{call}", "/citta/bologna", f"/citta/{lab[0]}/laboratori/{lab[1]}", f"/risultati/{outcome}",
              "/citta/bologna/risultati"]
    citizen_only = ["/account/eventi", "/notifiche"]
    return public, public + citizen_only, ["/moderazione/proposte"], cookies


def fetch(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def check_who(base, path, cookie):
    """Exit unless the page answers 200 to the person the row claims to be; say whether it gave a
    visitor a session cookie (then no shared cache could keep it)."""
    status, headers, body = fetch(base + path, cookie)
    signed_in = 'action="/account/esci"' in body
    if status != 200 or signed_in != bool(cookie):
        sys.exit(f"{path}: status {status}, signed in {signed_in}: the row would not measure what it says")
    return not cookie and bool(headers.get("Set-Cookie"))


def measure(bases, path, seconds, connections, cookie):
    """wrk's figures; tried again when wrk printed no latency (no request finished in time: a
    machine busy with something else)."""
    for _attempt in range(3):
        try:
            return wrk(bases, path, seconds, connections, headers=[f"Cookie: {cookie}"] if cookie else ())
        except AttributeError:
            time.sleep(2)
    return 0.0, 0.0, 0.0, 1


def row(label, figures, bare, visitor):
    rps, mean, p99, errors = figures
    ratio = rps / bare
    met = ratio >= VISITOR_GOAL and p99 < VISITOR_P99_MS if visitor else ratio >= SIGNED_IN_GOAL
    print(f"{label:52} {rps:8.0f} {ratio:6.2f} {mean:8.1f} {p99:8.1f} {errors:6}  {goal(met and not errors)}",
          flush=True)
    return met and not errors


def bare_figures(seconds, connections):
    """The bare route's figures, tried again like `measure`."""
    for _attempt in range(3):
        try:
            return bare_route(seconds, connections)
        except AttributeError:
            time.sleep(2)
    sys.exit("wrk could not time the bare route three times: the machine is too busy to measure")


def run(postgres, tree, seconds, connections, redis_url=None):
    bare = bare_figures(seconds, connections)
    with database(postgres) as url:
        env = production_env(url, tree=tree, **({"REDIS_URL": redis_url} if redis_url else {}))
        flask_command(tree, env, "db", "upgrade")
        flask_command(tree, env, "seed-demo", "--force")
        public, citizen_pages, facilitator_pages, (citizen, facilitator) = prepare(url, env["SECRET_KEY"])
        print(f"\n{'PostgreSQL' if postgres else 'SQLite'}{' + Redis' if redis_url else ''} · tree {tree} · "
              f"gunicorn -c gunicorn.conf.py "
              f"× {PROCESSES} processes · "
              f"wrk {connections} connections, {seconds} s a row")
        print(f"{'page':52} {'req/s':>8} {'ratio':>6} {'mean ms':>8} {'p99 ms':>8} {'errors':>6}")
        print(f"{'bare route':52} {bare[0]:8.0f} {1:6.2f} {bare[1]:8.1f} {bare[2]:8.1f} {bare[3]:6}", flush=True)
        missed = 0
        with recipe("wsgi:app", env, tree=tree) as bases:
            plan = ([("visitor", path, None) for path in public]
                    + [("citizen", path, citizen) for path in citizen_pages]
                    + [("facilitator", path, facilitator) for path in facilitator_pages])
            for who, path, cookie in plan:
                sets_cookie = any([check_who(base, path, cookie) for base in bases])  # noqa: C419 (every process checked)
                figures = measure(bases, path, seconds, connections, cookie)
                label = f"{who} {path}" + (" (Set-Cookie!)" if sets_cookie else "")
                missed += not row(label, figures, bare[0], visitor=cookie is None)
                time.sleep(0.5)
        print(f"{'all goals met' if not missed else f'{missed} goal(s) MISSED'} "
              f"({'PostgreSQL' if postgres else 'SQLite'})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--tree", default=str(ROOT), help="the CivicLab checkout to serve")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--redis", metavar="URL", help="REDIS_URL of the servers, as in the README's production "
                        "recipe (e.g. redis://127.0.0.1:6379/14); default: none")
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    for postgres in {"sqlite": [False], "postgres": [True], "both": [False, True]}[args.db]:
        run(postgres, tree, args.seconds, args.connections, args.redis)


if __name__ == "__main__":
    main()
