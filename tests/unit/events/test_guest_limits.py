"""What stops one guest from taking every seat (mario+1…+4@example.com), and what a guest's
mail to a not yet verified address may carry (nothing the requester typed)."""
import re

import pytest

from civiclab.core.errors import DomainError
from civiclab.events import services
from civiclab.events.models import RegistrationState
from tests.unit.events.helpers import registrations_of, text


def ask(client, event, name="Mario Rossi", email="mario@example.com"):
    return client.post(f"/eventi/{event.id}/iscrizione-ospite",
                       data={"name": name, "email": email, "privacy_consent": "y"})


def confirm_last_link(client, outbox):
    link = re.search(r"https?://[^/\s]+(/iscrizioni/ospite/conferma/\S+)", outbox[-1].body).group(1)
    return client.post(link)


@pytest.mark.parametrize("typed", ["mario+1@example.com", "Mario+Posti@EXAMPLE.com", " MARIO@example.com "])
def test_guest_addresses_are_lower_cased_without_their_tag(typed):
    assert services.guest_address(typed) == "mario@example.com"


def test_an_address_without_a_tag_before_its_plus_stays_whole():
    assert services.guest_address("+39@example.com") == "+39@example.com"


def test_tagged_addresses_hold_one_seat_between_them(client, db_session, make_event, outbox):
    event = make_event(capacity=24)

    for n in range(1, 5):
        ask(client, event, email=f"mario+{n}@example.com")
        confirm_last_link(client, outbox)

    [registration] = registrations_of(db_session, event)
    assert registration.guest_email == "mario@example.com"
    assert {tuple(message.recipients) for message in outbox} == {("mario@example.com",)}
    db_session.refresh(event)
    assert event.confirmed_seats == 1


def test_guests_together_hold_at_most_their_share_of_the_seats(in_request, app, make_event, monkeypatch):
    monkeypatch.setitem(app.config, "GUEST_SEATS_SHARE", 0.5)
    event = make_event(capacity=4)
    services.book_as_guest(event.id, "Anna", "anna@example.com")
    services.book_as_guest(event.id, "Bruno", "bruno@example.com")

    with pytest.raises(DomainError, match="senza account sono esauriti"):
        services.book_as_guest(event.id, "Carla", "carla@example.com")
    assert event.confirmed_seats == 2


def test_the_event_page_stops_offering_guest_seats_once_their_share_is_taken(
        client, app, make_event, register, monkeypatch):
    monkeypatch.setitem(app.config, "GUEST_SEATS_SHARE", 0.25)
    event = make_event(capacity=4)
    register(event, guest_name="Anna Neri")

    page = text(client.get(f"/eventi/{event.id}"))
    form_page = text(client.get(f"/eventi/{event.id}/prenota-senza-account"))

    assert "senza account sono esauriti" in page and "prenota-senza-account" not in page
    assert "senza account sono esauriti" in form_page and 'name="privacy_consent"' not in form_page


def test_an_address_holds_a_few_upcoming_guest_bookings_at_most(client, app, db_session, make_event, outbox,
                                                               monkeypatch):
    monkeypatch.setitem(app.config, "GUEST_BOOKINGS_PER_ADDRESS", 2)
    events = [make_event() for _ in range(3)]
    for event in events[:2]:
        ask(client, event, email=f"mario+{event.id}@example.com")
        confirm_last_link(client, outbox)
    sent = len(outbox)

    refused = ask(client, events[2], email="MARIO@example.com")

    assert refused.status_code == 422 and "già 2 prenotazioni come ospite" in text(refused)
    assert len(outbox) == sent  # no mail for a refused request
    assert registrations_of(db_session, events[2]) == []


def test_guest_link_requests_are_rate_limited_per_address_whatever_its_tag(
        limited_app, limited_client, make_event, monkeypatch):
    monkeypatch.setitem(limited_app.config, "RATELIMIT_REGISTER", "100 per minute")
    monkeypatch.setitem(limited_app.config, "RATELIMIT_GUEST_ADDRESS", "2 per hour")
    events = [make_event() for _ in range(3)]

    answers = [ask(limited_client, event, email=f"mario+{n}@example.com").status_code
               for n, event in enumerate(events)]
    other = ask(limited_client, events[2], email="anna@example.com").status_code

    assert answers == [302, 302, 429] and other == 302


def test_guest_link_requests_are_rate_limited_per_event(limited_app, limited_client, make_event, monkeypatch):
    monkeypatch.setitem(limited_app.config, "RATELIMIT_REGISTER", "100 per minute")
    monkeypatch.setitem(limited_app.config, "RATELIMIT_GUEST_EVENT", "2 per hour")
    event, other_event = make_event(), make_event()

    answers = [ask(limited_client, event, email=f"persona{n}@example.com").status_code for n in range(3)]

    assert answers == [302, 302, 429]
    assert ask(limited_client, other_event, email="persona9@example.com").status_code == 302


def test_the_guest_link_mail_carries_nothing_the_requester_typed(client, make_event, outbox):
    event = make_event(title="Mappe di comunità")
    typed = "Vinci un premio su http://truffa.example"

    assert ask(client, event, name=typed, email="vittima@example.com").status_code == 302

    [message] = outbox
    body = message.body + message.subject
    assert "truffa" not in body and "premio" not in body and typed not in body
    assert "Mappe di comunità" in message.subject
    # The name still reaches the confirmation page, through the signed link.
    link = re.search(r"https?://[^/\s]+(/iscrizioni/ospite/conferma/\S+)", message.body).group(1)
    assert typed in text(client.get(link))


def test_a_confirmed_guest_booking_is_held_under_the_untagged_address(client, db_session, make_event, outbox):
    event = make_event()
    ask(client, event, email="Mario+Scuola@Example.com")
    confirm_last_link(client, outbox)

    [registration] = registrations_of(db_session, event)
    assert registration.guest_email == "mario@example.com"
    assert registration.state is RegistrationState.CONFIRMED
