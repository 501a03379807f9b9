"""Reminders before an event: once per confirmed registration, whatever happens to the runs."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.core.time import utcnow
from civiclab.events.models import EventState, Registration, RegistrationState
from civiclab.notifications import event_reminders as reminders  # the job (claim is from events)
from civiclab.notifications.models import Notification


@pytest.fixture
def tomorrow(make_event):
    """An event starting in 20 hours: inside the default 24-hour window."""
    return make_event(title="Robotica per le scuole", starts_at=utcnow() + timedelta(hours=20))


def _recipients(outbox):
    return sorted(message.recipients[0] for message in outbox)


def test_each_confirmed_registration_gets_one_reminder_however_often_it_runs(
        ctx, db_session, outbox, tomorrow, register, make_user):
    user = make_user(display_name="Marco Rossi")
    registration = register(tomorrow, user)
    register(tomorrow, guest_name="Anna")
    assert reminders.send_due_reminders() == 2
    assert reminders.send_due_reminders() == 0
    assert _recipients(outbox) == sorted([user.email, "anna@example.org"])
    notes = db_session.scalars(sa.select(Notification).filter_by(kind="event_reminder")).all()
    assert [n.user_id for n in notes] == [user.id]  # guests have no account to be notified in
    assert notes[0].url == f"/iscrizioni/{registration.id}"


def test_the_reminder_says_what_when_where_and_the_code(ctx, outbox, tomorrow, register, make_user):
    registration = register(tomorrow, make_user(display_name="Marco Rossi"))
    reminders.send_due_reminders()
    message = outbox[0]
    assert message.subject.startswith("Promemoria: «Robotica per le scuole»")
    assert "Ciao Marco Rossi" in message.body
    assert registration.code in message.body
    assert tomorrow.lab.name in message.body
    assert f"https://civiclab.example.org/eventi/{tomorrow.id}\n" in message.body
    assert f"https://civiclab.example.org/iscrizioni/{registration.id}\n" in message.body


def test_a_guest_is_reminded_with_the_signed_link_to_their_booking(ctx, outbox, tomorrow, register):
    register(tomorrow, guest_name="Anna")
    reminders.send_due_reminders()
    assert "Ciao Anna" in outbox[0].body
    assert "https://civiclab.example.org/iscrizioni/ospite/" in outbox[0].body


def test_the_in_app_reminder_carries_the_code(ctx, db_session, tomorrow, register, make_user):
    registration = register(tomorrow, make_user())
    reminders.send_due_reminders()
    note = db_session.scalar(sa.select(Notification).filter_by(kind="event_reminder"))
    assert "Robotica per le scuole" in note.message and registration.code in note.detail


def test_a_registration_claimed_earlier_is_not_sent_again(ctx, outbox, tomorrow, register, make_user):
    register(tomorrow, make_user(), reminder_sent_at=utcnow() - timedelta(hours=1))
    assert reminders.send_due_reminders() == 0
    assert outbox == []


def test_a_claim_is_won_once(ctx, db_session, tomorrow, register, make_user):
    registration = register(tomorrow, make_user())
    now = utcnow()
    assert reminders.claim(registration.id, now) is True
    db_session.commit()
    assert reminders.claim(registration.id, now) is False


@pytest.mark.parametrize("case", [
    "too_far", "started", "draft", "cancelled", "no_reminder",
])
def test_events_outside_their_window_get_nothing(ctx, outbox, make_event, register, make_user, case):
    now = utcnow()
    event = {
        "too_far": lambda: make_event(starts_at=now + timedelta(hours=30)),
        "started": lambda: make_event(starts_at=now - timedelta(minutes=5)),
        "draft": lambda: make_event(starts_at=now + timedelta(hours=2), state=EventState.DRAFT),
        "cancelled": lambda: make_event(starts_at=now + timedelta(hours=2), state=EventState.CANCELLED),
        "no_reminder": lambda: make_event(starts_at=now + timedelta(minutes=30), reminder_hours_before=0),
    }[case]()
    register(event, make_user())
    assert reminders.send_due_reminders() == 0
    assert outbox == []


def test_each_event_has_its_own_window(ctx, outbox, make_event, register, make_user):
    early = make_event(starts_at=utcnow() + timedelta(hours=40), reminder_hours_before=48)
    late = make_event(starts_at=utcnow() + timedelta(hours=3), reminder_hours_before=2)
    reminded, not_yet = make_user(), make_user()
    register(early, reminded)
    register(late, not_yet)
    assert reminders.send_due_reminders() == 1
    assert _recipients(outbox) == [reminded.email]


def test_waiting_and_cancelled_registrations_get_nothing(ctx, outbox, tomorrow, register, make_user):
    register(tomorrow, make_user(), state=RegistrationState.WAITING)
    register(tomorrow, make_user(), state=RegistrationState.CANCELLED)
    assert reminders.send_due_reminders() == 0
    assert outbox == []


def test_a_crash_half_way_loses_at_most_one_and_the_rerun_sends_the_rest_once(
        ctx, db_session, outbox, tomorrow, register, make_user, monkeypatch):
    users = [make_user() for _ in range(5)]
    for user in users:
        register(tomorrow, user)
    real_send = reminders.send_reminder_mail
    calls = []

    def crashing_send(registration, event):
        calls.append(registration.id)
        if len(calls) == 3:
            raise ConnectionError("the mail server went away")
        return real_send(registration, event)

    monkeypatch.setattr(reminders, "send_reminder_mail", crashing_send)
    with pytest.raises(ConnectionError):
        reminders.send_due_reminders()
    db_session.rollback()
    assert len(outbox) == 2

    monkeypatch.setattr(reminders, "send_reminder_mail", real_send)
    assert reminders.send_due_reminders() == 2
    assert reminders.send_due_reminders() == 0
    recipients = _recipients(outbox)
    assert len(recipients) == len(set(recipients)) == 4  # nobody twice; the one claimed in the crash is lost
    lost = db_session.get(Registration, calls[2])
    assert lost.reminder_sent_at is not None and lost.user.email not in recipients


def test_the_command_sends_finishes_past_events_and_says_how_many(
        app, public_address, db_session, outbox, tomorrow, register, make_user, make_event):
    register(tomorrow, make_user())
    ended = make_event(starts_at=utcnow() - timedelta(days=2))
    result = app.test_cli_runner().invoke(args=["send-event-reminders", "--base-url", "https://civiclab.example.org"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) sent" in result.output
    assert len(outbox) == 1 and "https://civiclab.example.org/eventi/" in outbox[0].body
    db_session.refresh(ended)
    assert ended.state is EventState.FINISHED
    again = app.test_cli_runner().invoke(args=["send-event-reminders", "--base-url", "https://civiclab.example.org"])
    assert "0 reminder(s) sent" in again.output and len(outbox) == 1


def test_the_command_links_to_the_configured_site_unless_given_another(
        app, public_address, db_session, outbox, tomorrow, register, make_user):
    register(tomorrow, make_user())
    result = app.test_cli_runner().invoke(args=["send-event-reminders"])
    assert result.exit_code == 0, result.output
    assert "https://civiclab.example.org/eventi/" in outbox[0].body
    register(tomorrow, make_user())
    app.test_cli_runner().invoke(args=["send-event-reminders", "--base-url", "https://comune.example.it"])
    assert "https://comune.example.it/eventi/" in outbox[1].body
    assert app.config["CIVICLAB_BASE_URL"] == "https://civiclab.example.org"
