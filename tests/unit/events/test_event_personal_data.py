"""A participant's registrations in their data export, and what deleting the account does to them."""
from datetime import timedelta

from civiclab.core.time import utcnow
from civiclab.events.models import RegistrationState
from tests.conftest import DEMO_PASSWORD, login


def test_the_export_lists_my_registrations_and_nobody_elses(client, make_user, make_event, register):
    me, other = make_user(), make_user()
    event = make_event(title="Open day del Laboratorio")
    registration = register(event, user=me)
    register(event, user=other)
    login(client, me)
    exported = client.get("/account/i-miei-dati.json").get_json()["event_registrations"]
    assert [(row["event"], row["code"], row["state"]) for row in exported] == [
        ("Open day del Laboratorio", registration.code, "confirmed")]


def test_deleting_the_account_frees_upcoming_seats_for_the_waiting_list_and_keeps_past_ones(
        client, db_session, make_user, make_event, register, outbox):
    me, waiting = make_user(), make_user()
    upcoming = make_event(capacity=1)
    mine = register(upcoming, user=me)
    theirs = register(upcoming, user=waiting, state=RegistrationState.WAITING)
    past = make_event(starts_at=utcnow() - timedelta(days=3))
    attended = register(past, user=me, attended_at=utcnow() - timedelta(days=3))

    login(client, me)
    assert client.post("/account/elimina", data={"password": DEMO_PASSWORD}).status_code == 302
    db_session.expire_all()
    assert mine.state is RegistrationState.CANCELLED
    assert theirs.state is RegistrationState.CONFIRMED and upcoming.confirmed_seats == 1
    assert attended.state is RegistrationState.CONFIRMED
    assert all(None not in message.recipients for message in outbox)
