"""No overbooking under concurrency: 120 simultaneous bookings for 30 seats, on real connections.

Each booking runs as a real request would: its own thread, its own database connection, a POST
request context (so SQLite takes its write lock at BEGIN, as in production), one commit at the
end. All threads wait on a barrier and start together.
"""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.extensions import db
from tests.conftest import make_app, password_hash, temporary_postgres_app
from tests.integration.helpers import add_published_event

BOOKINGS = 120
SEATS = 30


def build_event_and_people(app):
    from civiclab.accounts.models import User
    from civiclab.core.time import utcnow

    with app.app_context():
        event = add_published_event(timedelta(days=3), capacity=SEATS)
        hashed = password_hash("Una-password-robusta-42")
        db.session.execute(sa.insert(User), [
            {"email": f"persona{n}@example.org", "display_name": f"Persona {n}", "password_hash": hashed,
             "privacy_consent_at": utcnow(), "email_confirmed_at": utcnow()}
            for n in range(BOOKINGS)
        ])
        db.session.commit()
        return event.id, list(db.session.scalars(sa.select(User.id).order_by(User.id)))


def book_all_at_once(app, event_id, user_ids):
    from civiclab.accounts.models import User
    from civiclab.events import services
    from civiclab.events.models import Event

    barrier = threading.Barrier(len(user_ids))
    errors = []

    def book(user_id):
        try:
            with app.test_request_context("/eventi/book", method="POST"):
                barrier.wait()
                services.book(db.session.get(User, user_id), db.session.get(Event, event_id))
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - collected and reported by the test
            errors.append(repr(error))
        finally:
            with app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=book, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def check_exactly_the_seats_were_confirmed(app, event_id):
    from civiclab.events.models import Event, Registration, RegistrationState

    with app.app_context():
        registrations = list(db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)))
        event = db.session.get(Event, event_id)
        confirmed = [r for r in registrations if r.state is RegistrationState.CONFIRMED]
        waiting = [r for r in registrations if r.state is RegistrationState.WAITING]

        assert len(registrations) == BOOKINGS
        assert len(confirmed) == SEATS and event.confirmed_seats == SEATS
        assert len(waiting) == BOOKINGS - SEATS
        # A consistent order of arrival: the first thirty through the lock hold the seats, and
        # the waiting list follows in the order the bookings were written.
        assert max(r.id for r in confirmed) < min(r.id for r in waiting)
        # The seats went one by one, in order; the waiting list's order is the order rows were
        # written (ids). Bookings joining the waiting list side by side (PostgreSQL's share lock)
        # may be stamped a moment apart in another order, but all after the last confirmed one.
        stamps = [r.created_at for r in confirmed]
        assert stamps == sorted(stamps)
        assert max(stamps) <= min(r.created_at for r in waiting)
        assert len({r.code for r in registrations}) == BOOKINGS
        assert len({r.user_id for r in registrations}) == BOOKINGS


def run_the_rush(app):
    event_id, user_ids = build_event_and_people(app)
    errors = book_all_at_once(app, event_id, user_ids)
    assert errors == []
    check_exactly_the_seats_were_confirmed(app, event_id)


def test_simultaneous_bookings_never_overbook_on_sqlite(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'rush.sqlite3'}")
    run_the_rush(app)


@pytest.mark.postgres
def test_simultaneous_bookings_never_overbook_on_postgresql(postgres_admin_url):
    # The server allows 100 clients in all, and the rest of the suite holds some: 40 bookings
    # hold a connection at once, the other 80 queue for one, as requests queue for a pooled
    # connection in production.
    with temporary_postgres_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 40, "max_overflow": 0,
                                                          "pool_timeout": 60}) as app:
        run_the_rush(app)
