"""Guests: a seat booked through a mailed link, nothing held before it is used, and the booking
joining an account made later with the same address."""
import re

import pytest

from civiclab.accounts.models import ParticipantType
from civiclab.core.time import utcnow
from civiclab.events import services
from civiclab.events.models import EventState, Registration, RegistrationState
from tests.conftest import login
from tests.unit.events.helpers import registrations_of, text

GUEST = {"name": "Marta Rossi", "email": "Marta.Rossi@Example.org", "privacy_consent": "y"}


def link_in(message, prefix):
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s?]+)", message.body)
    assert match, f"no link to {prefix} in:\n{message.body}"
    return match.group(1)


def ask(client, event, **overrides):
    return client.post(f"/eventi/{event.id}/iscrizione-ospite", data={**GUEST, **overrides})


def test_asking_as_a_guest_holds_nothing_and_mails_a_link(client, db_session, make_event, outbox):
    event = make_event(capacity=1)
    response = ask(client, event)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/eventi/{event.id}/iscrizione-ospite/inviata"
    assert "Controlla la tua email" in text(client.get(response.headers["Location"]))
    assert registrations_of(db_session, event) == []
    db_session.refresh(event)
    assert event.confirmed_seats == 0
    [message] = outbox
    assert message.recipients == ["marta.rossi@example.org"]
    assert event.title in message.subject
    assert "48 ore" in message.body
    assert link_in(message, "/iscrizioni/ospite/conferma/")


def test_the_link_books_a_seat_once_confirmed(client, db_session, make_event, outbox):
    event = make_event()
    ask(client, event)
    link = link_in(outbox[-1], "/iscrizioni/ospite/conferma/")
    page = client.get(link)
    assert page.status_code == 200
    assert "Marta Rossi" in text(page) and "marta.rossi@example.org" in text(page)
    assert registrations_of(db_session, event) == []  # looking at the page holds nothing

    response = client.post(link)
    [registration] = registrations_of(db_session, event)
    assert response.status_code == 302 and response.headers["Location"].startswith("/iscrizioni/ospite/")
    assert registration.state is RegistrationState.CONFIRMED
    assert (registration.user_id, registration.guest_name, registration.guest_email, registration.seats,
            registration.participant_type) == (None, "Marta Rossi", "marta.rossi@example.org", 1,
                                               ParticipantType.CITTADINO)
    own_page = text(client.get(response.headers["Location"]))
    assert registration.code in own_page and "data:image/svg+xml" in own_page
    assert "nella mail" in own_page and "notifiche" not in own_page  # a guest has no notifications
    confirmation = outbox[-1]
    assert registration.code in confirmation.body
    assert response.headers["Location"] in confirmation.body  # the guest's own link
    assert "/account/registrati?email=marta.rossi@example.org" in confirmation.body


def test_using_the_link_twice_holds_one_seat(client, db_session, make_event, outbox):
    event = make_event()
    ask(client, event)
    link = link_in(outbox[-1], "/iscrizioni/ospite/conferma/")
    client.post(link)
    client.post(link)
    assert len(registrations_of(db_session, event)) == 1
    db_session.refresh(event)
    assert event.confirmed_seats == 1


def test_a_guest_on_a_full_event_waits(client, db_session, make_event, make_user, outbox):
    event = make_event(capacity=1)
    with client.application.test_request_context():
        services.book(make_user(), event)
        db_session.commit()
    ask(client, event)
    client.post(link_in(outbox[-1], "/iscrizioni/ospite/conferma/"))
    registration = registrations_of(db_session, event)[-1]
    assert registration.state is RegistrationState.WAITING
    assert "posizione 1" in outbox[-1].body


def test_an_expired_link_shows_a_clear_page_and_holds_nothing(app, client, db_session, make_event, outbox,
                                                             monkeypatch):
    event = make_event()
    ask(client, event)
    link = link_in(outbox[-1], "/iscrizioni/ospite/conferma/")
    monkeypatch.setitem(app.config, "GUEST_BOOKING_MAX_AGE", -1)  # every link is now too old
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        assert "Il link è scaduto e non ha prenotato nulla" in text(response)
        assert f'href="/eventi/{event.id}"' in text(response)
    assert registrations_of(db_session, event) == []


def test_an_altered_link_is_refused(client, db_session, make_event, outbox):
    event = make_event()
    ask(client, event)
    link = link_in(outbox[-1], "/iscrizioni/ospite/conferma/")
    response = client.post(link[:-3] + "xyz")
    assert response.status_code == 400
    assert "Il link non è valido" in text(response)
    assert registrations_of(db_session, event) == []


def test_a_link_opened_after_registration_closed_books_nothing(client, db_session, make_event, outbox):
    event = make_event()
    ask(client, event)
    link = link_in(outbox[-1], "/iscrizioni/ospite/conferma/")
    event.registration_closes_at = utcnow()
    db_session.commit()
    assert "Le iscrizioni sono chiuse." in text(client.get(link))
    response = client.post(link)
    assert response.status_code == 422
    assert "Le iscrizioni sono chiuse." in text(response)
    assert registrations_of(db_session, event) == []


@pytest.mark.parametrize("fields, message", [
    ({"registration_closes_at": utcnow()}, "Le iscrizioni sono chiuse."),
    ({"state": EventState.CANCELLED}, "L'evento è stato annullato."),
])
def test_a_guest_cannot_ask_for_a_closed_event(client, db_session, make_event, outbox, fields, message):
    event = make_event(**fields)
    response = ask(client, event)
    assert response.status_code == 422
    assert message in text(response)
    assert outbox == []


def test_guests_cannot_book_an_event_reserved_to_schools(client, make_event, outbox):
    event = make_event(audience=[ParticipantType.SCUOLA])
    assert f"/eventi/{event.id}/iscrizione-ospite" not in text(client.get(f"/eventi/{event.id}"))
    response = ask(client, event)
    assert response.status_code == 422
    assert "accedi con il tuo account" in text(response)
    assert outbox == []


def test_a_guest_must_accept_the_privacy_notice(client, make_event, outbox):
    event = make_event()
    response = ask(client, event, privacy_consent="")
    assert response.status_code == 422
    assert "Per prenotare devi accettare l'informativa sulla privacy." in text(response)
    assert outbox == []


def test_a_signed_in_participant_is_sent_to_book_with_the_account(client, make_user, make_event, outbox):
    event = make_event()
    login(client, make_user())
    response = ask(client, event)
    assert response.status_code == 302 and response.headers["Location"] == f"/eventi/{event.id}"
    assert outbox == []


def test_a_guest_cancels_through_the_link_and_the_next_in_line_is_promoted(client, db_session, make_event,
                                                                          make_user, outbox):
    event = make_event(capacity=1)
    ask(client, event)
    client.post(link_in(outbox[-1], "/iscrizioni/ospite/conferma/"))
    own_link = link_in(outbox[-1], "/iscrizioni/ospite/")
    with client.application.test_request_context():
        waiting = services.book(make_user(), event)
        db_session.commit()
    assert f'action="{own_link}/annulla"' in text(client.get(own_link))

    first_click = client.post(f"{own_link}/annulla")
    assert first_click.status_code == 200 and "Sì, annulla l’iscrizione" in text(first_click)
    assert f'href="{own_link}"' in text(first_click)
    assert [r.state for r in registrations_of(db_session, event)] == [
        RegistrationState.CONFIRMED, RegistrationState.WAITING]  # the first click cancels nothing

    response = client.post(f"{own_link}/annulla", data={"confirm": "yes"})
    assert response.status_code == 302
    guest, promoted = registrations_of(db_session, event)
    assert guest.state is RegistrationState.CANCELLED
    assert promoted.id == waiting.id and promoted.state is RegistrationState.CONFIRMED
    assert "Prenotazione annullata" in text(client.get(response.headers["Location"]))


def test_a_guests_own_link_cannot_be_altered_to_reach_another_booking(client, make_event, outbox):
    event = make_event()
    ask(client, event)
    client.post(link_in(outbox[-1], "/iscrizioni/ospite/conferma/"))
    own_link = link_in(outbox[-1], "/iscrizioni/ospite/")
    assert client.get(own_link + "x").status_code == 400
    assert client.post(own_link + "x/annulla").status_code == 400


# ---- turning the booking into an account --------------------------------------------------------

def test_the_registration_page_takes_the_guests_address(client):
    page = text(client.get("/account/registrati?email=marta.rossi%40example.org"))
    assert 'value="marta.rossi@example.org"' in page


def _guest_booking(client, event, outbox):
    ask(client, event)
    client.post(link_in(outbox[-1], "/iscrizioni/ospite/conferma/"))


def _confirm_account(client, db_session, user):
    """What the sign-up mail's link does: the address confirmed, its guest bookings brought in."""
    from civiclab.accounts import services as accounts
    from civiclab.accounts.tokens import confirmation_token

    with client.application.test_request_context():
        accounts.confirm_email(confirmation_token(user))
        db_session.commit()


def test_confirming_an_account_brings_in_the_guest_bookings_of_its_address(client, db_session, make_event,
                                                                          make_user, outbox):
    first, second = make_event(), make_event()
    _guest_booking(client, first, outbox)
    _guest_booking(client, second, outbox)
    user = make_user(email="marta.rossi@example.org", confirmed=False)
    _confirm_account(client, db_session, user)
    bookings = registrations_of(db_session, first) + registrations_of(db_session, second)
    assert [b.user_id for b in bookings] == [user.id, user.id]
    assert bookings[0].guest_email == "marta.rossi@example.org"  # the history stays
    login(client, user)
    page = text(client.get("/account/eventi"))
    assert first.title in page and second.title in page


def test_a_guest_booking_stays_a_guests_when_the_account_already_holds_that_event(
        client, db_session, make_event, make_user, outbox):
    event = make_event()
    _guest_booking(client, event, outbox)
    user = make_user(email="marta.rossi@example.org", confirmed=False)
    own = Registration(event=event, user=user, seats=1, participant_type=ParticipantType.CITTADINO,
                       state=RegistrationState.WAITING, code="ZZZZ2345")
    db_session.add(own)
    db_session.commit()
    _confirm_account(client, db_session, user)
    guest = registrations_of(db_session, event)[0]
    assert guest.user_id is None and guest.is_active
