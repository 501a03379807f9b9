"""Signed-in pages in process: the time (p50) and SQL statements of each page, per role.

Run by hand from the project root (it builds its own throwaway databases, never touches yours):

    .venv/bin/python bench/signedin_profile.py              # SQLite, then PostgreSQL
    .venv/bin/python bench/signedin_profile.py --sqlite     # SQLite only
    .venv/bin/python bench/signedin_profile.py --postgres   # PostgreSQL only
    .venv/bin/python bench/signedin_profile.py --profile /   # + a pyinstrument profile of one page

The demo data (`seed-demo --force`) goes into a throwaway database (bench/harness.database); each
role (a citizen, the Bologna lab's facilitator, the municipality's staff) signs in as a sign-in
would (a session row, its key in the cookie), then asks every page `--repeat` times through the
Flask test client after one warm-up and prints the median time and the statements of one request
(the same page for a visitor alongside, for scale). The issue's goal for these pages is "SQL per
page constant and small": the last line says whether every page stayed under --max-statements.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness
from tests.conftest import make_app

ROLES = (("visitor", None), ("citizen", "cittadino@example.org"), ("facilitator", "facilitatore@example.org"),
         ("staff", "comune.bologna@example.org"))


def pages():
    """(label, path) of the issue's signed-in pages, their ids read from the demo data."""
    from civiclab.events.models import Event
    from civiclab.extensions import db
    from civiclab.outcomes.models import Outcome
    from civiclab.places.models import Lab
    from civiclab.proposals.models import Proposal

    event = db.session.scalar(sa.select(Event.id).order_by(Event.id).limit(1))
    proposal = db.session.scalar(sa.select(Proposal.id).where(Proposal.published_at.is_not(None))
                                 .order_by(Proposal.id).limit(1))
    lab = db.session.execute(sa.select(Lab).order_by(Lab.id).limit(1)).scalar_one()
    outcome = db.session.scalar(sa.select(Outcome.id).order_by(Outcome.id).limit(1))
    listed = [("home", "/"), ("events", "/eventi"), ("event", f"/eventi/{event}"),
              ("project", "/progetti/BO3.3.1.b"), ("proposal", f"/proposte/{proposal}"), ("call", "/call/1"),
              ("city", "/citta/bologna"), ("lab", f"/citta/{lab.city.slug}/laboratori/{lab.slug}")]
    if outcome:
        listed.append(("outcome", f"/risultati/{outcome}"))
    listed += [("my events", "/account/eventi"), ("notifications", "/notifiche"),
               ("moderation", "/moderazione/proposte")]
    return listed


def sign_in(app, client, email):
    from civiclab.accounts.models import User
    from civiclab.accounts.sessions import open_session
    from civiclab.extensions import db

    user = db.session.scalar(sa.select(User).filter_by(email=email))
    open_session(user, user_agent="bench")
    token = user.get_id()
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def measure(app, client, path, repeat):
    """(status, p50 CPU ms, p50 wall ms, statements of one request). The CPU time (this process's)
    is what a server's throughput is made of, and stays meaningful on a busy machine where the
    wall time does not."""
    from civiclab.extensions import db

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    response = client.get(path)  # warm-up (templates compiled, caches filled)
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return response.status_code, statistics.median(cpu), statistics.median(times), statements


def run(postgres, repeat, max_statements, profile, show_sql):
    from civiclab.extensions import db

    label = "PostgreSQL" if postgres else "SQLite"
    worst = 0
    with harness.database(postgres) as url:
        app = make_app(url, SQLALCHEMY_ECHO=False)
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["seed-demo", "--force"])
            if result.exit_code:
                sys.exit(f"seed-demo failed: {result.output}")
            listed = pages()
            clients = {}
            for role, email in ROLES:
                clients[role] = app.test_client()
                if email:
                    sign_in(app, clients[role], email)
            print(f"\n== {label}: CPU ms per request (p50 of {repeat}; wall p50 in brackets) / SQL statements "
                  "of one request ==")
            print(f"{'page':<14} {'path':<34}" + "".join(f"{role:>26}" for role, _ in ROLES))
            ratios = []
            for name, path in listed:
                cells = []
                for role, _email in ROLES:
                    status, cpu, wall, statements = measure(app, clients[role], path, repeat)
                    if role == "visitor":
                        visitor = cpu if status == 200 else None
                    elif status == 200:
                        worst = max(worst, len(statements))
                        if visitor:
                            ratios.append(cpu / visitor)
                    cells.append(f"{cpu:6.1f} ({wall:5.1f}) ms {len(statements):3d} q"
                                 + (f" {status}" if status != 200 else "    "))
                    if show_sql and role == show_sql[0] and path == show_sql[1]:
                        print("\n".join(f"    {s.splitlines()[0][:160]}" for s in statements))
                print(f"{name[:14]:<14} {path[:34]:<34}" + "".join(f"{cell:>26}" for cell in cells))
            print(f"signed-in CPU / visitor CPU, same page: median {statistics.median(ratios):.2f}, "
                  f"worst {max(ratios):.2f}")
            if profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                with profiler:
                    for _ in range(50):
                        clients["citizen"].get(profile)
                print(profiler.output_text(unicode=True, color=False, show_all=False))
            db.session.remove()
            db.engine.dispose()
    print(f"{label}: most statements on a signed-in page answered 200: {worst} "
          f"(bound {max_statements}) -> {harness.goal(worst <= max_statements)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--max-statements", type=int, default=20)  # as tests/unit/pages/test_signed_in_queries.py
    parser.add_argument("--profile", metavar="PATH", help="print a pyinstrument profile of PATH for the citizen")
    parser.add_argument("--sql", nargs=2, metavar=("ROLE", "PATH"), help="print the statements of one page")
    args = parser.parse_args()
    targets = [False] if args.sqlite else [True] if args.postgres else [False, True]
    for postgres in targets:
        run(postgres, args.repeat, args.max_statements, args.profile, args.sql)


if __name__ == "__main__":
    main()
