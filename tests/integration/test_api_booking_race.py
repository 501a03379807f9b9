"""The last seat of an event booked at the same moment through the API (a token) and through the
event page (a session cookie), on real connections: each request in its own thread with its own
client and transaction, released together by a barrier, the first one through the event's lock
slowed down while it holds it, so the other really arrives meanwhile. Both go through the same
booking service under the same lock: exactly one is confirmed, the other waits; never overbooked.
"""
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.extensions import db
from tests.conftest import make_app, password_hash, temporary_postgres_app
from tests.integration.helpers import add_published_event

ROUNDS = 4  # a fresh event each round, so either side may win the seat


def build_people(app):
    """A person with a write token (the API) and one signed in on the site (the page): (token, cookie)."""
    from civiclab.accounts.models import User
    from civiclab.accounts.sessions import open_session
    from civiclab.api.auth import new_secret
    from civiclab.api.models import AccessToken
    from civiclab.core.time import utcnow

    with app.app_context():
        now = utcnow()
        by_api, on_page = (User(email=f"{name}@example.org", display_name=name, password_hash=password_hash("x"),
                                privacy_consent_at=now, email_confirmed_at=now) for name in ("script", "pagina"))
        secret, digest, prefix = new_secret()
        db.session.add_all([by_api, on_page, AccessToken(user=by_api, name="scuola", scopes="read write",
                                                        token_hash=digest, prefix=prefix)])
        db.session.flush()
        open_session(on_page, user_agent="pytest")  # a sign-in session row, named by the cookie
        cookie = on_page.get_id()
        db.session.commit()
        return secret, cookie


def one_seat_left(app, round_number):
    """A published event of two seats, one of them already confirmed to somebody else."""
    from civiclab.accounts.models import ParticipantType, User
    from civiclab.core.time import utcnow
    from civiclab.events.models import Event, Registration, RegistrationState
    from civiclab.places.models import Lab

    with app.app_context():
        lab = db.session.scalar(sa.select(Lab))
        if lab is None:
            event = add_published_event(timedelta(days=3), capacity=2, confirmed_seats=1)
        else:
            starts = utcnow() + timedelta(days=3)
            event = Event(lab=lab, title=f"Giro {round_number}", starts_at=starts, ends_at=starts + timedelta(hours=2),
                          capacity=2, confirmed_seats=1, state=event_state_published(), published_at=utcnow())
            db.session.add(event)
        holder = User(email=f"prima{round_number}@example.org", display_name="Prima",
                      password_hash=password_hash("x"), privacy_consent_at=utcnow(), email_confirmed_at=utcnow())
        db.session.add(Registration(event=event, user=holder, seats=1, state=RegistrationState.CONFIRMED,
                                    participant_type=ParticipantType.CITTADINO, confirmed_at=utcnow()))
        db.session.commit()
        return event.id


def event_state_published():
    from civiclab.events.models import EventState

    return EventState.PUBLISHED


def book_both_at_once(app, event_id, token, cookie):
    """The API's booking and the page's, released together: [(side, status, answer)] and errors."""
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def by_api():
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/events/{event_id}/registrations", json={"seats": 1},
                               headers={"Authorization": f"Bearer {token}"})
        answers.append(("api", response.status_code, response.get_json()))

    def on_page():
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = cookie
            session["_fresh"] = True
        barrier.wait()
        response = client.post(f"/eventi/{event_id}/iscrizione", data={"seats": "1"})
        answers.append(("page", response.status_code, response.headers.get("Location")))

    def run(side):
        try:
            side()
        except Exception as error:  # noqa: BLE001 - collected and reported by the test
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(side,)) for side in (by_api, on_page)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(answers, key=lambda answer: answer[0]), errors


def check_one_confirmed_one_waiting(app, event_id, answers):
    from civiclab.events.models import Event, Registration, RegistrationState

    with app.app_context():
        event = db.session.get(Event, event_id)
        newcomers = list(db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)))[1:]
        assert event.confirmed_seats == event.capacity == 2
        assert sorted(r.state.value for r in newcomers) == ["confirmed", "waiting"]
        assert sum(r.seats for r in newcomers if r.state is RegistrationState.CONFIRMED) == 1
        (_, api_status, api_answer), (_, page_status, page_location) = answers
        assert api_status == 201 and page_status == 302
        by_api = next(r for r in newcomers if r.id == api_answer["id"])
        assert api_answer["state"] == by_api.state.value
        assert page_location == f"/iscrizioni/{next(r.id for r in newcomers if r is not by_api)}"
        return by_api.state


def run_the_race(app, monkeypatch):
    from civiclab.events import services

    taking = services.lock_event

    def slow_lock(event_id):
        event = taking(event_id)
        time.sleep(0.3)  # holding the lock: the other booking arrives meanwhile and waits for it
        return event

    monkeypatch.setattr(services, "lock_event", slow_lock)
    token, cookie = build_people(app)
    winners = []
    for round_number in range(ROUNDS):
        event_id = one_seat_left(app, round_number)
        # each person books a new event every round: a fresh pair of bookings at the last seat
        answers, errors = book_both_at_once(app, event_id, token, cookie)
        assert errors == []
        api_state = check_one_confirmed_one_waiting(app, event_id, answers)
        winners.append("api" if api_state.value == "confirmed" else "page")
    return winners


def test_the_last_seat_booked_by_api_and_page_at_once_on_sqlite(tmp_path, monkeypatch):
    run_the_race(make_app(f"sqlite:///{tmp_path / 'race.sqlite3'}"), monkeypatch)


@pytest.mark.postgres
def test_the_last_seat_booked_by_api_and_page_at_once_on_postgresql(postgres_admin_url, monkeypatch):
    with temporary_postgres_app() as app:
        run_the_race(app, monkeypatch)
