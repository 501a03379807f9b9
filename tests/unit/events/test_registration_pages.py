"""Booking from the event page, the registration page with its code, cancelling, "I miei eventi"."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.models import ParticipantType
from civiclab.core.time import utcnow
from civiclab.events import services
from civiclab.events.models import EventState, RegistrationState
from civiclab.notifications.models import Notification
from tests.conftest import login
from tests.unit.events.helpers import registrations_of, text


def book(client, event, **data):
    return client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1", **data})


# ---- booking ---------------------------------------------------------------------------------

def test_a_participant_books_a_seat_and_sees_the_code_as_text_and_qr_image(client, db_session, make_user,
                                                                            make_event):
    event = make_event(capacity=5)
    user = make_user()
    login(client, user)
    response = book(client, event)
    [registration] = registrations_of(db_session, event)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/iscrizioni/{registration.id}"
    assert registration.state is RegistrationState.CONFIRMED and registration.user_id == user.id

    page = client.get(response.headers["Location"])
    html = text(page)
    assert page.status_code == 200
    assert "Iscrizione confermata" in html  # the flash
    assert html.count(registration.code) >= 2
    assert 'src="data:image/svg+xml' in html and f"Codice QR dell’iscrizione {registration.code}" in html
    assert f"/eventi/{event.id}.ics" in html


def test_a_booking_for_a_full_event_waits_and_is_told_its_position(client, db_session, make_user, make_event):
    event = make_event(capacity=1)
    with client.application.test_request_context():
        services.book(make_user(), event)
        db_session.commit()
    login(client, make_user())
    response = book(client, event)
    registration = registrations_of(db_session, event)[-1]
    assert registration.state is RegistrationState.WAITING
    html = text(client.get(response.headers["Location"]))
    assert "sei in lista d'attesa, posizione 1" in html
    assert "data:image/svg+xml" not in html  # no code to show at the door while waiting


def test_a_teacher_books_twenty_seats_for_her_class(client, db_session, make_event, teacher):
    user, school = teacher
    event = make_event(capacity=30, max_seats_per_booking=25)
    login(client, user)
    panel = text(client.get(f"/eventi/{event.id}"))
    assert 'name="group_name"' in panel and 'type="number"' in panel
    response = book(client, event, seats="20", group_name="Classe 3B", organisation=str(school.id))
    [registration] = registrations_of(db_session, event)
    assert response.status_code == 302
    assert (registration.seats, registration.group_name, registration.organisation_id) == (20, "Classe 3B", school.id)
    assert event.confirmed_seats == 20
    html = text(client.get(response.headers["Location"]))
    assert "Classe 3B" in html and "IC 12 Bologna" in html


def test_a_group_without_its_name_is_refused_on_the_event_page(client, db_session, make_event, teacher):
    user, school = teacher
    event = make_event(max_seats_per_booking=25)
    login(client, user)
    response = book(client, event, seats="20", group_name="", organisation=str(school.id))
    assert response.status_code == 422
    assert "Scrivi il nome del gruppo" in text(response)
    assert f"<h1>{event.title}</h1>" in text(response)
    assert registrations_of(db_session, event) == []


@pytest.mark.parametrize("fields, message", [
    ({"registration_closes_at": utcnow() - timedelta(minutes=5)}, "Le iscrizioni sono chiuse."),
    ({"state": EventState.CANCELLED, "cancel_reason": "Pioggia"}, "L'evento è stato annullato."),
    ({"starts_at": utcnow() - timedelta(days=2), "state": EventState.FINISHED}, "L'evento è già concluso."),
])
def test_booking_a_closed_cancelled_or_past_event_is_refused_and_saves_nothing(
        client, db_session, make_user, make_event, fields, message):
    event = make_event(**fields)
    login(client, make_user())
    response = book(client, event)
    assert response.status_code == 422
    assert message in text(response)
    assert registrations_of(db_session, event) == []


def test_a_participant_type_the_event_does_not_admit_is_refused(client, db_session, make_user, make_event):
    event = make_event(audience=[ParticipantType.SCUOLA])
    login(client, make_user(participant_type=ParticipantType.CITTADINO))
    assert "Questo evento è riservato a: Scuola." in text(client.get(f"/eventi/{event.id}"))
    response = book(client, event)
    assert response.status_code == 422
    assert "Questo evento è riservato a" in text(response)
    assert registrations_of(db_session, event) == []


def test_a_participant_cannot_book_more_than_one_seat(client, db_session, make_user, make_event):
    event = make_event(max_seats_per_booking=10)
    login(client, make_user())
    response = book(client, event, seats="3")
    assert response.status_code == 422
    assert "Solo chi agisce per un'organizzazione" in text(response)
    assert registrations_of(db_session, event) == []


def test_a_group_cannot_book_more_than_the_events_maximum(client, db_session, make_event, teacher):
    user, school = teacher
    event = make_event(max_seats_per_booking=15)
    login(client, user)
    response = book(client, event, seats="20", group_name="Classe 3B", organisation=str(school.id))
    assert response.status_code == 422
    assert "al massimo 15 posti" in text(response)
    assert registrations_of(db_session, event) == []


def test_booking_twice_is_refused_with_a_clear_message(client, db_session, make_user, make_event):
    event = make_event()
    login(client, make_user())
    assert book(client, event).status_code == 302
    response = book(client, event)
    assert response.status_code == 422
    assert "Hai già un’iscrizione a questo evento." in text(response)
    assert len(registrations_of(db_session, event)) == 1


def test_an_unconfirmed_account_cannot_book(client, db_session, make_user, make_event):
    event = make_event()
    login(client, make_user(confirmed=False))
    panel = text(client.get(f"/eventi/{event.id}"))
    assert "Conferma il tuo indirizzo email per prenotare" in panel
    assert book(client, event).status_code == 403
    assert registrations_of(db_session, event) == []


def test_a_draft_event_cannot_be_booked_by_who_does_not_see_it(client, db_session, make_user, make_event):
    event = make_event(state=EventState.DRAFT, published_at=None)
    login(client, make_user())
    assert book(client, event).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_before_booking(client, db_session, make_event):
    event = make_event()
    response = book(client, event)
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/accedi")


# ---- the booking panel ----------------------------------------------------------------------------

def test_the_panel_offers_anonymous_visitors_login_registration_and_a_guest_booking(client, make_event):
    event = make_event()
    html = text(client.get(f"/eventi/{event.id}"))
    assert f"/account/accedi?next=/eventi/{event.id}" in html
    assert "/account/registrati" in html
    # The event page every visitor shares links to the guest booking page, which holds the form.
    assert f'href="/eventi/{event.id}/prenota-senza-account#prenota-senza-account"' in html
    assert 'name="privacy_consent"' not in html and "csrf_token" not in html
    form_page = text(client.get(f"/eventi/{event.id}/prenota-senza-account"))
    assert f'action="/eventi/{event.id}/iscrizione-ospite"' in form_page
    assert 'name="privacy_consent"' in form_page and 'id="prenota-senza-account"' in form_page


def test_the_guest_booking_page_sends_signed_in_people_back_to_the_event(client, make_user, make_event):
    event = make_event()
    login(client, make_user())
    response = client.get(f"/eventi/{event.id}/prenota-senza-account")
    assert response.status_code == 302 and response.headers["Location"] == f"/eventi/{event.id}"


def test_the_panel_offers_a_participant_one_seat_without_group_fields(client, make_user, make_event):
    event = make_event(max_seats_per_booking=20)
    login(client, make_user())
    html = text(client.get(f"/eventi/{event.id}"))
    assert f'action="/eventi/{event.id}/iscrizione"' in html
    assert '<input type="hidden" name="seats" value="1">' in html
    assert 'name="group_name"' not in html
    assert "iscrizione-ospite" not in html


def test_the_panel_shows_a_registration_with_its_code_and_a_cancel_button(client, db_session, make_user,
                                                                          make_event):
    event = make_event()
    user = make_user()
    login(client, user)
    book(client, event)
    [registration] = registrations_of(db_session, event)
    html = text(client.get(f"/eventi/{event.id}"))
    assert registration.code in html
    assert f'href="/iscrizioni/{registration.id}"' in html
    assert f'action="/iscrizioni/{registration.id}/annulla"' in html
    assert f'action="/eventi/{event.id}/iscrizione"' not in html


def test_the_panel_offers_no_form_when_registration_is_closed(client, make_user, make_event):
    event = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    login(client, make_user())
    html = text(client.get(f"/eventi/{event.id}"))
    assert "Non è possibile iscriversi a questo evento." in html
    assert f'action="/eventi/{event.id}/iscrizione"' not in html


# ---- the registration page and cancelling ----------------------------------------------------------

@pytest.fixture
def booked(client, db_session, make_user, make_event):
    """A confirmed registration of a participant for an event of a lab."""
    event = make_event(capacity=1)
    owner = make_user()
    with client.application.test_request_context():
        registration = services.book(owner, event)
        db_session.commit()
    return registration


def test_a_stranger_cannot_open_someone_elses_registration(client, make_user, booked):
    login(client, make_user())
    assert client.get(f"/iscrizioni/{booked.id}").status_code == 403


def test_who_runs_the_event_opens_a_registration_and_sees_who_it_is(client, make_facilitator, booked):
    login(client, make_facilitator(booked.event.lab))
    html = text(client.get(f"/iscrizioni/{booked.id}"))
    assert booked.user.email in html and booked.code in html


def test_the_online_link_shows_on_the_page_of_a_confirmed_registration_only(client, db_session, make_user,
                                                                             make_event):
    event = make_event(capacity=1, is_online=True, online_url="https://meet.example.org/lab-42")
    first, second = make_user(), make_user()
    with client.application.test_request_context():
        confirmed, waiting = services.book(first, event), services.book(second, event)
        db_session.commit()
    login(client, first)
    assert "https://meet.example.org/lab-42" in text(client.get(f"/iscrizioni/{confirmed.id}"))
    login(client, second)
    assert "https://meet.example.org/lab-42" not in text(client.get(f"/iscrizioni/{waiting.id}"))


def test_the_owner_cancels_and_the_first_in_line_is_promoted(client, db_session, make_user, booked):
    event = booked.event
    next_in_line = make_user()
    with client.application.test_request_context():
        waiting = services.book(next_in_line, event)
        db_session.commit()
    login(client, booked.user)
    response = client.post(f"/iscrizioni/{booked.id}/annulla", data={"confirm": "yes"})
    assert response.status_code == 302
    db_session.refresh(booked)
    db_session.refresh(waiting)
    assert booked.state is RegistrationState.CANCELLED
    assert waiting.state is RegistrationState.CONFIRMED
    assert "Iscrizione annullata" in text(client.get(response.headers["Location"]))


def test_the_cancel_button_asks_for_confirmation_and_cancels_nothing(client, db_session, booked):
    login(client, booked.user)

    first_click = client.post(f"/iscrizioni/{booked.id}/annulla")

    assert first_click.status_code == 200
    page = text(first_click)
    assert "Annullare l’iscrizione?" in page and "Sì, annulla l’iscrizione" in page
    assert f'action="/iscrizioni/{booked.id}/annulla"' in page and 'name="confirm" value="yes"' in page
    assert f'href="/iscrizioni/{booked.id}"' in page  # "No, tieni l'iscrizione"
    db_session.refresh(booked)
    assert booked.state is RegistrationState.CONFIRMED and booked.event.confirmed_seats == booked.seats

    confirmed = client.post(f"/iscrizioni/{booked.id}/annulla", data={"confirm": "yes"})

    assert confirmed.status_code == 302
    db_session.refresh(booked)
    assert booked.state is RegistrationState.CANCELLED


def test_the_confirmation_says_a_class_gives_up_all_its_seats(client, db_session, make_event, teacher):
    user, school = teacher
    event = make_event(max_seats_per_booking=25)
    with client.application.test_request_context():
        group = services.book(user, event, seats=20, group_name="Classe 3B", organisation=school)
        db_session.commit()
    login(client, user)

    page = text(client.post(f"/iscrizioni/{group.id}/annulla"))

    assert "I 20 posti del gruppo «Classe 3B» passano subito a chi è in lista d’attesa" in page
    db_session.refresh(group)
    assert group.state is RegistrationState.CONFIRMED


def test_a_stranger_cannot_cancel_someone_elses_registration(client, db_session, make_user, booked):
    login(client, make_user())
    assert client.post(f"/iscrizioni/{booked.id}/annulla").status_code == 403
    db_session.refresh(booked)
    assert booked.state is RegistrationState.CONFIRMED


def test_cancelling_after_the_start_is_refused_with_a_message(client, db_session, booked):
    booked.event.starts_at = utcnow() - timedelta(minutes=10)
    db_session.commit()
    login(client, booked.user)
    response = client.post(f"/iscrizioni/{booked.id}/annulla", follow_redirects=True)
    assert "l'iscrizione non si può più annullare" in text(response)
    db_session.refresh(booked)
    assert booked.state is RegistrationState.CONFIRMED


# ---- I miei eventi ---------------------------------------------------------------------------------

def test_my_events_lists_upcoming_waiting_and_past_with_cancel_buttons(client, db_session, make_user,
                                                                      make_event):
    user = make_user()
    upcoming, full, past, cancelled = (make_event(capacity=5, title="In programma"),
                                       make_event(capacity=1, title="Al completo"),
                                       make_event(title="Già fatto"), make_event(title="Saltato"))
    with client.application.test_request_context():
        mine = services.book(user, upcoming)
        services.book(make_user(), full)
        waiting = services.book(user, full)
        services.book(user, past)
        services.book(user, cancelled)
        services.cancel_event(make_user(is_admin=True), cancelled, "Sala inagibile")
        db_session.commit()
    past.starts_at, past.ends_at = utcnow() - timedelta(days=3), utcnow() - timedelta(days=3, hours=-2)
    db_session.commit()

    login(client, user)
    html = text(client.get("/account/eventi"))
    upcoming_part, rest = html.split('id="waiting-heading"')
    waiting_part, past_part = rest.split('id="past-heading"')
    assert "In programma" in upcoming_part and mine.code in upcoming_part
    assert "Al completo" in waiting_part and "posizione 1" in waiting_part
    assert "Già fatto" in past_part and "Saltato" in past_part and "Evento annullato" in past_part
    assert f"/iscrizioni/{mine.id}/annulla" in upcoming_part
    assert f"/iscrizioni/{waiting.id}/annulla" in waiting_part
    assert "/annulla" not in past_part


def test_cancelling_from_my_events_comes_back_to_my_events(client, db_session, booked):
    login(client, booked.user)
    confirmation = client.post(f"/iscrizioni/{booked.id}/annulla", data={"back": "my_events"})
    assert 'name="back" value="my_events"' in confirmation.text and 'href="/account/eventi"' in confirmation.text
    response = client.post(f"/iscrizioni/{booked.id}/annulla", data={"back": "my_events", "confirm": "yes"})
    assert response.headers["Location"] == "/account/eventi"


def test_my_events_runs_the_same_queries_for_two_registrations_or_twenty(client, db_session, make_user,
                                                                        make_event, make_lab, count_queries):
    user = make_user()
    login(client, user)

    def add(n):
        with client.application.test_request_context():
            for _ in range(n):
                event = make_event(lab=make_lab(), capacity=1)
                services.book(make_user(), event)
                services.book(user, event)  # waiting, so a position is computed
                services.book(user, make_event(lab=make_lab()))
            db_session.commit()

    add(1)
    client.get("/account/eventi")
    with count_queries() as few:
        assert client.get("/account/eventi").status_code == 200
    add(9)
    with count_queries() as many:
        html = text(client.get("/account/eventi"))
    assert html.count("posizione 1") == 10
    assert len(many) == len(few)


def test_my_events_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/account/eventi")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/accedi")


def test_the_profile_and_the_menu_link_to_my_events(client, make_user):
    login(client, make_user())
    assert 'href="/account/eventi"' in text(client.get("/account/profilo"))
    assert 'href="/account/eventi"' in text(client.get("/"))


def test_the_confirmation_notification_carries_the_code(client, db_session, make_user, make_event):
    event = make_event()
    user = make_user()
    login(client, user)
    book(client, event)
    [registration] = registrations_of(db_session, event)
    notification = db_session.scalar(sa.select(Notification).where(Notification.user_id == user.id))
    assert notification.detail == registration.code
    assert registration.code in notification.message
    assert notification.url == f"/iscrizioni/{registration.id}"
