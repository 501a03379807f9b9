"""The waiting list of a full event under concurrency, on PostgreSQL: bookings that will wait hold
the event's share lock side by side (services.lock_event_for_booking), and still no seat stays
free while someone who fits waits, no seat is counted twice, and one person holds one booking.
"""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.extensions import db
from tests.conftest import password_hash, temporary_postgres_app
from tests.integration.helpers import add_published_event

SEATS = 10


def people(app, count, first=0):
    from civiclab.accounts.models import User
    from civiclab.core.time import utcnow

    with app.app_context():
        hashed = password_hash("Una-password-robusta-42")
        db.session.execute(sa.insert(User), [
            {"email": f"attesa{n}@example.org", "display_name": f"Persona {n}", "password_hash": hashed,
             "privacy_consent_at": utcnow(), "email_confirmed_at": utcnow()}
            for n in range(first, first + count)])
        db.session.commit()
        return list(db.session.scalars(sa.select(User.id).where(User.email.like("attesa%"))
                                       .order_by(User.id)))[first:first + count]


def all_at_once(app, calls):
    """Run each `call(app)` in its own thread, as a POST request, all released together; returns
    (refusals, errors)."""
    from civiclab.core.errors import DomainError

    barrier = threading.Barrier(len(calls))
    refused, errors = [], []

    def one(call):
        try:
            with app.test_request_context("/eventi/book", method="POST"):
                barrier.wait()
                try:
                    call()
                    db.session.commit()
                except DomainError as refusal:
                    db.session.rollback()
                    refused.append(str(refusal.message))
        except Exception as error:  # noqa: BLE001 - collected and reported by the test
            errors.append(repr(error))
        finally:
            with app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=one, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return refused, errors


def book(user_id, event_id):
    from civiclab.accounts.models import User
    from civiclab.events import services
    from civiclab.events.models import Event

    return lambda: services.book(db.session.get(User, user_id), db.session.get(Event, event_id))


def cancel(registration_id):
    from civiclab.events import services
    from civiclab.events.models import Registration

    def call():
        registration = db.session.get(Registration, registration_id)
        services.cancel_registration(registration.user, registration)

    return call


def states(app, event_id):
    from civiclab.events.models import Event, Registration, RegistrationState

    with app.app_context():
        rows = list(db.session.scalars(sa.select(Registration).where(Registration.event_id == event_id)
                                       .order_by(Registration.id)))
        seats = db.session.get(Event, event_id).confirmed_seats
        return ([r for r in rows if r.state is RegistrationState.CONFIRMED],
                [r for r in rows if r.state is RegistrationState.WAITING], seats)


@pytest.fixture
def pg_app(postgres_admin_url):
    with temporary_postgres_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 40, "max_overflow": 0,
                                                          "pool_timeout": 60}) as app:
        yield app


@pytest.mark.postgres
def test_seats_freed_during_a_rush_on_a_full_event_go_to_the_waiting_list(pg_app):
    app = pg_app
    with app.app_context():
        event = add_published_event(timedelta(days=3), capacity=SEATS)
        db.session.commit()
        event_id = event.id
    holders = people(app, SEATS)
    assert all_at_once(app, [book(user_id, event_id) for user_id in holders]) == ([], [])
    confirmed, _waiting, _seats = states(app, event_id)
    newcomers = people(app, 40, first=SEATS)

    refused, errors = all_at_once(app, [cancel(r.id) for r in confirmed[:5]]
                                  + [book(user_id, event_id) for user_id in newcomers])

    assert (refused, errors) == ([], [])
    confirmed, waiting, seats = states(app, event_id)
    assert len(confirmed) == SEATS == seats  # the five freed seats were taken again
    assert len(waiting) == 40 - 5
    assert len({r.user_id for r in confirmed + waiting}) == SEATS + 35


@pytest.mark.postgres
def test_one_person_booking_twice_at_once_on_a_full_event_holds_one_booking(pg_app):
    app = pg_app
    with app.app_context():
        event = add_published_event(timedelta(days=3), capacity=1)
        db.session.commit()
        event_id = event.id
    [first, second] = people(app, 2)
    all_at_once(app, [book(first, event_id)])

    refused, errors = all_at_once(app, [book(second, event_id) for _ in range(4)])

    assert errors == []
    assert len(refused) == 3 and set(refused) == {"Hai già un’iscrizione a questo evento."}
    confirmed, waiting, seats = states(app, event_id)
    assert [r.user_id for r in confirmed] == [first] and seats == 1
    assert [r.user_id for r in waiting] == [second]
