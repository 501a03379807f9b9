"""Mails of bookings and events are built after the commit, off the request (core.mail.send_later):
a booking holds its event's lock for the seats only, its mail still carries the calendar, the QR
code and the reader's language, a booking undone sends nothing, and a mail that fails undoes nothing.

These tests run with MAIL_IN_BACKGROUND on, as in production; the background sender is held
back (`senders`) and run by the test once the request has answered.
"""
import logging
import re

import pytest
import sqlalchemy as sa

from civiclab.core import mail
from civiclab.events import mails as event_mails
from civiclab.events import services
from civiclab.events.models import Registration, RegistrationState
from tests.conftest import login
from tests.unit.events.test_event_mails import calendar_of, mails_to


@pytest.fixture
def senders(app, monkeypatch):
    """Mail in the background, as in production; the background work waits in this list until the
    test runs it (`run(senders)`)."""
    monkeypatch.setitem(app.config, "MAIL_IN_BACKGROUND", True)
    held = []
    monkeypatch.setattr(mail, "start_sender", held.append)
    return held


def run(senders):
    while senders:
        senders.pop(0)()


@pytest.fixture
def timeline(monkeypatch):
    """What happened in which order: "commit" for each commit, "qr" when a mail's QR image is drawn
    (with whether a request was being answered then)."""
    from flask import has_request_context

    happened = []
    drawing = event_mails.qr_png

    def qr_png(text):
        happened.append(("qr", has_request_context()))
        return drawing(text)

    def committed(session):
        happened.append(("commit", None))

    monkeypatch.setattr(event_mails, "qr_png", qr_png)
    sa.event.listen(sa.orm.Session, "after_commit", committed)
    yield happened
    sa.event.remove(sa.orm.Session, "after_commit", committed)


def test_a_booking_answers_before_its_mail_is_built_which_then_has_calendar_code_and_language(
        client, db_session, make_event, make_user, outbox, senders, timeline):
    event = make_event()
    reader = make_user(locale="en")
    login(client, reader)
    timeline.clear()

    response = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})

    assert response.status_code == 302
    assert outbox == [] and ("qr", True) not in timeline  # nothing built while answering
    registration = db_session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert registration.state is RegistrationState.CONFIRMED
    run(senders)
    [message] = mails_to(outbox, reader.email)
    assert message.subject == f"Registration confirmed: {event.title}"
    assert message.body.startswith(f"Hello {reader.display_name},") and registration.code in message.body
    assert f"/iscrizioni/{registration.id}" in message.body
    assert [a.content_type for a in message.attachments] == ["text/calendar", "image/png"]
    assert message.attachments[1].filename == f"codice-{registration.code}.png"
    assert message.attachments[1].data.startswith(b"\x89PNG")
    [entry] = calendar_of(message).walk("VEVENT")
    assert str(entry["uid"]) == f"event-{event.id}@localhost"
    # the QR code was drawn after the booking's transaction committed, outside the request
    assert timeline.index(("qr", False)) > timeline.index(("commit", None))


def test_the_italian_reader_gets_the_italian_mail(client, db_session, make_event, make_user, outbox, senders):
    event = make_event()
    reader = make_user(locale="it")
    login(client, reader)
    client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    run(senders)
    [message] = mails_to(outbox, reader.email)
    assert message.subject == f"Iscrizione confermata: {event.title}"
    assert message.body.startswith(f"Ciao {reader.display_name},")


def test_the_waiting_list_mail_tells_the_position_the_answer_told(client, db_session, make_event, make_user,
                                                                   outbox, senders):
    event = make_event(capacity=1)
    for person in (make_user(), make_user()):
        services.book(person, event)
    db_session.commit()
    run(senders)
    outbox.clear()
    third = make_user()
    login(client, third)
    answer = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"}, follow_redirects=True)
    assert "posizione 2" in answer.text
    run(senders)
    [message] = mails_to(outbox, third.email)
    assert "in posizione 2" in message.body and message.attachments == []


def test_a_booking_rolled_back_sends_nothing(app, db_session, make_event, make_user, outbox, senders):
    event = make_event()
    user = make_user()
    with app.test_request_context("/", method="POST"):
        services.book(user, event)
        db_session.rollback()
        db_session.commit()
    run(senders)
    assert outbox == []
    assert db_session.scalar(sa.select(sa.func.count(Registration.id))
                             .where(Registration.event_id == event.id)) == 0


def test_a_refused_booking_sends_nothing(client, db_session, make_event, make_user, outbox, senders):
    event = make_event()
    user = make_user()
    login(client, user)
    client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    run(senders)
    outbox.clear()
    again = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    assert again.status_code == 422 and "Hai già un’iscrizione" in again.text
    run(senders)
    assert outbox == []


def test_a_mail_that_fails_is_logged_and_the_booking_stands(app, client, db_session, make_event, make_user, outbox,
                                                            senders, monkeypatch, caplog):
    # (alembic's fileConfig, run when another test builds an app, disables the loggers it finds)
    monkeypatch.setattr(app.logger, "disabled", False)
    event = make_event()
    user = make_user()
    login(client, user)

    def broken(text):
        raise ValueError("no image today")

    monkeypatch.setattr(event_mails, "qr_png", broken)
    response = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    with caplog.at_level(logging.ERROR):
        run(senders)
    assert response.status_code == 302
    assert outbox == []
    assert "mail not sent" in caplog.text and "event_registration_confirmed" in caplog.text
    registration = db_session.scalar(sa.select(Registration).where(Registration.user_id == user.id))
    assert registration.state is RegistrationState.CONFIRMED


def test_a_guest_booking_mails_the_guest_after_the_commit(client, db_session, make_event, outbox, senders,
                                                          timeline):
    event = make_event()
    client.post(f"/eventi/{event.id}/iscrizione-ospite",
                data={"name": "Marta Rossi", "email": "marta@example.org", "privacy_consent": "y"})
    run(senders)
    link = re.search(r"https?://[^/\s]+(/iscrizioni/ospite/conferma/\S+)", outbox[-1].body).group(1)
    outbox.clear()
    timeline.clear()

    response = client.post(link)

    assert response.status_code == 302 and outbox == []
    run(senders)
    [message] = mails_to(outbox, "marta@example.org")
    registration = db_session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert message.subject == f"Iscrizione confermata: {event.title}"  # guests read Italian
    assert registration.code in message.body and response.headers["Location"] in message.body
    assert [a.content_type for a in message.attachments] == ["text/calendar", "image/png"]
    assert timeline.index(("qr", False)) > timeline.index(("commit", None))


def test_a_cancelled_event_mails_everyone_after_the_commit_in_their_language(
        app, db_session, make_event, make_user, make_facilitator, outbox, senders):
    event = make_event()
    italian, english = make_user(locale="it"), make_user(locale="en")
    for person in (italian, english):
        services.book(person, event)
    db_session.commit()
    run(senders)
    outbox.clear()
    facilitator = make_facilitator(event.lab)
    with app.test_request_context("/", method="POST"):
        services.cancel_event(facilitator, event, "Pioggia")
        assert outbox == []
        db_session.commit()
    run(senders)
    assert mails_to(outbox, italian.email)[0].subject == f"Evento annullato: {event.title}"
    [message] = mails_to(outbox, english.email)
    assert message.subject == f"Event cancelled: {event.title}"
    assert str(calendar_of(message).walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_a_second_booking_of_the_same_person_met_by_the_unique_index_is_refused_not_a_500(
        client, db_session, make_event, make_user, outbox, senders, monkeypatch):
    """Two bookings of one person in flight side by side on a full event (PostgreSQL's share lock)
    both find nothing held; the database refuses the second, and the person is told."""
    event = make_event(capacity=1)
    services.book(make_user(), event)
    person = make_user()
    login(client, person)
    assert client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"}).status_code == 302
    monkeypatch.setattr(services, "_held_registrations", lambda event, user, identity_hash=None: [])  # as if in flight together

    again = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})

    assert again.status_code == 422 and "Hai già un’iscrizione a questo evento." in again.text
    assert db_session.scalar(sa.select(sa.func.count(Registration.id))
                             .where(Registration.user_id == person.id)) == 1
