"""Reminders never go out twice, even when several runs of the command overlap.

Four runs start together, each in its own thread with its own database connection, as four cron
jobs that overlap would; every confirmed registration gets exactly one mail in all.
"""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.extensions import db, mail
from tests.conftest import make_app, temporary_postgres_app
from tests.integration.helpers import add_published_event

PEOPLE = 40
RUNS = 4


def build_event_and_registrations(app):
    from civiclab.accounts.models import ParticipantType
    from civiclab.core.time import utcnow
    from civiclab.events.models import Registration, RegistrationState

    with app.app_context():
        event = add_published_event(timedelta(hours=10), capacity=PEOPLE, confirmed_seats=PEOPLE)
        db.session.add_all([
            Registration(event=event, guest_name=f"Persona {n}", guest_email=f"persona{n}@example.org",
                         participant_type=ParticipantType.CITTADINO, seats=1,
                         state=RegistrationState.CONFIRMED, confirmed_at=utcnow())
            for n in range(PEOPLE)
        ])
        db.session.commit()


def run_overlapping(app):
    from civiclab.notifications.event_reminders import send_due_reminders

    barrier = threading.Barrier(RUNS)
    errors, counts = [], []

    def run():
        try:
            with app.test_request_context("/", base_url="https://civiclab.example.org"):
                barrier.wait()
                counts.append(send_due_reminders())
        except Exception as error:  # noqa: BLE001 - collected and reported by the test
            errors.append(repr(error))
        finally:
            with app.app_context():
                db.session.remove()

    with app.app_context(), mail.record_messages() as outbox:
        threads = [threading.Thread(target=run) for _ in range(RUNS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    return errors, counts, [message.recipients[0] for message in outbox]


def check_each_one_reminder(app, errors, counts, recipients):
    from civiclab.events.models import Registration

    assert errors == []
    assert sum(counts) == PEOPLE
    assert sorted(recipients) == sorted(f"persona{n}@example.org" for n in range(PEOPLE))
    with app.app_context():
        unclaimed = db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                                      .where(Registration.reminder_sent_at.is_(None)))
        assert unclaimed == 0


def test_overlapping_runs_send_each_reminder_once_on_sqlite(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'reminders.sqlite3'}", SERVER_NAME=None)
    build_event_and_registrations(app)
    check_each_one_reminder(app, *run_overlapping(app))


@pytest.mark.postgres
def test_overlapping_runs_send_each_reminder_once_on_postgresql(postgres_admin_url):
    with temporary_postgres_app(SERVER_NAME=None) as app:
        build_event_and_registrations(app)
        check_each_one_reminder(app, *run_overlapping(app))
