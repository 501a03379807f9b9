"""Co-design pages under load: time and SQL queries of a call's proposal list, a proposal page
with its comment threads, and the moderation queue, as the data grows a hundredfold.

Run by hand from the project root (it builds its own throwaway databases, never touches yours):

    .venv/bin/python bench/codesign_pages.py              # SQLite
    .venv/bin/python bench/codesign_pages.py --postgres   # SQLite, then PostgreSQL (PG_ADMIN_URL)

For each size it fills one call with N proposals (three in four published, one in four waiting
for moderation) and gives one published proposal M comments in threads of five (a comment and
four replies, each answering the previous one, so the last is deeper than the page indents),
then asks every page `--repeat` times through the Flask test client (after one warm-up request)
and prints the median and 95th percentile time and the queries of one request, then the ratio
of the largest size to the smallest. The pages are paginated, so the queries must not change
and the time should grow far less than the data.
"""
import argparse
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from civiclab.core.time import utcnow
from tests.conftest import make_app, temporary_postgres_database

SIZES = ((10, 50), (100, 500), (1000, 5000))  # (proposals in the call, comments on one proposal)
THREAD_LENGTH = 5
AUTHORS = 40


def fill(n_proposals, n_comments):
    """One lab call in its review phase (moderation and comments open) with its facilitator, the
    proposals and the comments; returns (call id, commented proposal id, facilitator)."""
    from datetime import timedelta

    from civiclab.accounts.models import User
    from civiclab.comments.models import Comment, Stance
    from civiclab.extensions import db
    from civiclab.places.models import City, Lab, LabFacilitator
    from civiclab.proposals.models import Call, CallTheme, Proposal, ProposalState

    now, day = utcnow(), timedelta(days=1)
    city = City(name="Bologna", slug="bologna", region="Emilia-Romagna")
    lab = Lab(city=city, name="Laboratorio Aperto", slug="laboratorio-aperto")
    users = [User(email=f"persona{n}@example.org", display_name=f"Persona {n}", privacy_consent_at=now,
                  email_confirmed_at=now) for n in range(AUTHORS)]
    facilitator = User(email="facilitatore@example.org", display_name="Fabio Facilitatore",
                       privacy_consent_at=now, email_confirmed_at=now)
    call = Call(city=city, lab=lab, title="Idee per i cortili", description_html="<p>Proponi.</p>",
                proposals_from=now - 10 * day, review_from=now - day, supports_from=now + 20 * day,
                closes_at=now + 30 * day, published=True,
                themes=[CallTheme(name="Verde", position=0), CallTheme(name="Mobilità", position=1)])
    db.session.add_all([city, lab, call, facilitator, *users, LabFacilitator(user=facilitator, lab=lab)])
    db.session.flush()

    body = "Piantiamo alberi nel **cortile** della scuola e mettiamo panchine all'ombra. " * 8
    rows = []
    for n in range(n_proposals):
        published = n % 4 != 3
        moment = now - (n_proposals - n) * timedelta(minutes=7)
        rows.append({
            "call_id": call.id, "author_id": users[n % AUTHORS].id, "title": f"Proposta numero {n}",
            "body": body, "body_html": f"<p>{body}</p>", "theme_id": call.themes[n % 2].id,
            "place": "Giardino di via Libia",
            "state": ProposalState.ACCEPTED if published else ProposalState.SUBMITTED,
            "supports_count": n % 13, "created_at": moment, "updated_at": moment, "submitted_at": moment,
            "published_at": moment if published else None,
        })
    db.session.execute(sa.insert(Proposal), rows)
    commented = db.session.scalar(sa.select(Proposal.id).where(Proposal.call_id == call.id,
                                                               Proposal.state == ProposalState.ACCEPTED)
                                  .order_by(Proposal.id.desc()).limit(1))

    stances = [Stance.IN_FAVOUR, Stance.NEUTRAL, Stance.AGAINST, None]
    threads = [[] for _n in range(n_comments // THREAD_LENGTH)]
    for depth in range(THREAD_LENGTH):  # one level at a time: a reply needs its parent's id
        for t, thread in enumerate(threads):
            parent = thread[-1] if thread else None
            comment = Comment(proposal_id=commented, author_id=users[(t + depth) % AUTHORS].id,
                              parent_id=parent.id if parent else None,
                              root_id=thread[0].id if thread else None, depth=depth,
                              body=f"Commento {depth} del filo {t}.", body_html=f"<p>Commento {depth} del filo {t}.</p>",
                              stance=stances[t % 4] if depth == 0 else None, upvotes=t % 5,
                              created_at=now - (len(threads) - t) * timedelta(minutes=3) + depth * timedelta(seconds=5))
            thread.append(comment)
            db.session.add(comment)
        db.session.flush()
    db.session.commit()
    return call.id, commented, facilitator


@contextmanager
def counting(engine):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def measure(app, client, url, repeat):
    """(median ms, p95 ms, queries of one request) of GET `url`."""
    from civiclab.extensions import db

    response = client.get(url)  # warm-up: templates compiled, session seeded
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _n in range(repeat):
        with app.app_context(), counting(db.engine) as statements:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1], len(statements)


def run_size(database_url, n_proposals, n_comments, repeat):
    from civiclab.accounts.sessions import open_session
    from civiclab.extensions import db

    app = make_app(database_url)
    try:
        with app.app_context():
            call_id, proposal_id, facilitator = fill(n_proposals, n_comments)
            open_session(facilitator, user_agent="bench")  # signed in: a session row the cookie names
            db.session.commit()
            session_id = facilitator.get_id()
        anonymous, moderator = app.test_client(), app.test_client()
        with moderator.session_transaction() as session:
            session["_user_id"], session["_fresh"] = session_id, True
        return {
            "lista della call": measure(app, anonymous, f"/call/{call_id}", repeat),
            "pagina della proposta": measure(app, anonymous, f"/proposte/{proposal_id}", repeat),
            "coda di moderazione": measure(app, moderator, "/moderazione/proposte", repeat),
        }
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def bench(name, database_for, repeat):
    results = {}
    for n_proposals, n_comments in SIZES:  # the migrations log to stderr while the databases are built
        with database_for() as url:
            results[n_proposals, n_comments] = run_size(url, n_proposals, n_comments, repeat)
    print(f"\n== {name} ({repeat} richieste per pagina, tempi in ms)")
    print(f"{'pagina':<24}{'N prop.':>8}{'M comm.':>8}{'mediana':>10}{'p95':>10}{'query':>7}")
    for (n_proposals, n_comments), pages in results.items():
        for page, (median, p95, queries) in pages.items():
            print(f"{page:<24}{n_proposals:>8}{n_comments:>8}{median:>10.1f}{p95:>10.1f}{queries:>7}")
    small, large = results[SIZES[0]], results[SIZES[-1]]
    print(f"grande/piccolo (dati x{SIZES[-1][0] // SIZES[0][0]}):")
    for page in small:
        print(f"  {page:<22} tempo x{large[page][0] / small[page][0]:.2f}, "
              f"query {small[page][2]} -> {large[page][2]}")
    sys.stdout.flush()


@contextmanager
def temporary_sqlite_database():
    with tempfile.TemporaryDirectory(prefix="civiclab-bench-") as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true",
                        help="also on a temporary PostgreSQL database (PG_ADMIN_URL, as the tests)")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page and size (default 30)")
    args = parser.parse_args()
    bench("SQLite", temporary_sqlite_database, args.repeat)
    if args.postgres:
        bench("PostgreSQL", temporary_postgres_database, args.repeat)


if __name__ == "__main__":
    main()
