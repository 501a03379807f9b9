"""Events in the API: the public list with its filters and seats left, one event, and booking,
reading and cancelling a registration with a token, under the event page's rules."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.models import ParticipantType
from civiclab.core.time import to_rome, utcnow
from civiclab.events import services
from civiclab.events.models import EventState, RegistrationState
from civiclab.notifications.models import Notification
from tests.conftest import rome_time
from tests.fixtures.api import bearer
from tests.unit.events.conftest import register, teacher  # noqa: F401  (the events tests' fixtures)
from tests.unit.events.helpers import registrations_of
from tests.unit.events.test_event_mails import mails_to


def titles(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [event["title"] for event in response.get_json()["data"]]


def book(client, token, event, **body):
    return client.post(f"/api/v1/events/{event.id}/registrations", json={"seats": 1, **body},
                       headers=bearer(token) if token else {})


# ---- reading events ------------------------------------------------------------------------------

def test_the_list_holds_public_events_soonest_first_with_seats_left(
        client, make_event, make_lab, register, make_user):  # noqa: F811
    lab = make_lab()
    later = make_event(lab=lab, title="Dopo", starts_at=rome_time(days=9))
    sooner = make_event(lab=lab, title="Prima", capacity=5, starts_at=rome_time(days=3))
    make_event(lab=lab, title="Bozza", state=EventState.DRAFT, published_at=None)
    make_event(lab=lab, title="Annullato", state=EventState.CANCELLED, cancel_reason="Pioggia",
               starts_at=rome_time(days=5))
    register(sooner, make_user(), seats=1)
    response = client.get(f"/api/v1/events?lab={lab.id}")
    assert titles(response) == ["Prima", "Annullato", "Dopo"]
    first, cancelled, _last = response.get_json()["data"]
    assert (first["seats_total"], first["seats_left"], first["state"]) == (5, 4, "published")
    assert first["lab"] == {"id": lab.id, "slug": lab.slug, "name": lab.name}
    assert first["city"]["slug"] == lab.city.slug and first["url"] == f"/eventi/{sooner.id}"
    assert first["starts_at"].endswith(("+01:00", "+02:00"))  # Rome's clock, with its offset
    assert first["registration_open"] is True and first["registration_problem"] is None
    # a cancelled event is listed as on the page: with its state and reason, and no seats
    assert (cancelled["state"], cancelled["cancel_reason"], cancelled["seats_left"]) == ("cancelled", "Pioggia", None)
    assert cancelled["registration_problem"] == "L'evento è stato annullato."
    assert later.id == response.get_json()["data"][2]["id"]


def test_past_events_are_listed_latest_first_and_finished(client, make_event, make_lab):
    lab = make_lab()
    make_event(lab=lab, title="Ieri", starts_at=rome_time(days=-1))
    make_event(lab=lab, title="La settimana scorsa", starts_at=rome_time(days=-7), state=EventState.FINISHED)
    make_event(lab=lab, title="Domani", starts_at=rome_time(days=1))
    response = client.get(f"/api/v1/events?lab={lab.id}&when=past")
    assert titles(response) == ["Ieri", "La settimana scorsa"]
    assert {event["state"] for event in response.get_json()["data"]} == {"finished"}


def test_the_list_is_filtered_by_city_lab_days_and_audience(client, make_event, make_lab, make_city):
    city, other = make_city(), make_city()
    lab, other_lab = make_lab(city=city), make_lab(city=other)
    make_event(lab=lab, title="Scuole", starts_at=rome_time(days=3), audience=[ParticipantType.SCUOLA])
    make_event(lab=lab, title="Imprese", starts_at=rome_time(days=4), audience=[ParticipantType.IMPRESA])
    make_event(lab=lab, title="Tutti", starts_at=rome_time(days=6, hour=23))
    make_event(lab=other_lab, title="Altrove", starts_at=rome_time(days=5))
    assert titles(client.get(f"/api/v1/events?city={city.slug}")) == ["Scuole", "Imprese", "Tutti"]
    assert titles(client.get(f"/api/v1/events?city={other.slug}")) == ["Altrove"]
    assert titles(client.get("/api/v1/events?city=nessuna-citta")) == []
    assert titles(client.get(f"/api/v1/events?lab={other_lab.id}")) == ["Altrove"]
    assert titles(client.get(f"/api/v1/events?city={city.slug}&audience=scuola")) == ["Scuole", "Tutti"]

    def rome_day(days):
        return to_rome(rome_time(days=days)).date().isoformat()

    # from: starting on that day or after; to: starting on that day or before (both Rome days)
    assert titles(client.get(f"/api/v1/events?city={city.slug}&from={rome_day(4)}")) == ["Imprese", "Tutti"]
    assert titles(client.get(f"/api/v1/events?city={city.slug}&to={rome_day(4)}")) == ["Scuole", "Imprese"]
    assert titles(client.get(f"/api/v1/events?city={city.slug}&from={rome_day(6)}&to={rome_day(6)}")) == ["Tutti"]


@pytest.mark.parametrize("query, name", [
    ("from=2026-02-30", "from"), ("to=domani", "to"), ("audience=marziani", "audience"),
    ("lab=0", "lab"), ("when=sempre", "when"), ("to=0", "to"), ("from=1700000000", "from"),
])
def test_a_bad_filter_is_a_422_naming_it(client, query, name):
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == 422
    assert name in response.get_json()["error"]["fields"]


def test_the_list_pages_by_keyset_in_a_stable_order(client, make_event, make_lab):
    lab = make_lab()
    same_time = rome_time(days=2)
    made = [make_event(lab=lab, starts_at=same_time) for _ in range(3)] + [make_event(lab=lab)]
    first = client.get(f"/api/v1/events?lab={lab.id}&limit=2").get_json()
    rest = client.get(first["links"]["next"]).get_json()
    assert [e["id"] for e in first["data"] + rest["data"]] == [e.id for e in made]
    assert f"lab={lab.id}" in first["links"]["next"] and rest["links"]["next"] is None


def test_listing_events_costs_the_same_queries_for_three_or_thirty(client, make_event, make_lab, count_queries):
    few, many = make_lab(), make_lab()
    for _ in range(3):
        make_event(lab=few, audience=[ParticipantType.SCUOLA])
    for _ in range(30):
        make_event(lab=many, audience=[ParticipantType.SCUOLA, ParticipantType.IMPRESA])
    counts = []
    for lab in (few, many):
        with count_queries() as queries:
            assert client.get(f"/api/v1/events?lab={lab.id}&limit=100").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3


def test_one_event_is_shown_and_a_draft_is_404_even_for_who_runs_it(client, make_event, make_lab,
                                                                       make_facilitator, make_token):
    lab = make_lab()
    event = make_event(lab=lab, title="Aperto", audience=[ParticipantType.SCUOLA], max_seats_per_booking=25)
    draft = make_event(lab=lab, state=EventState.DRAFT, published_at=None)
    shown = client.get(f"/api/v1/events/{event.id}").get_json()
    assert (shown["title"], shown["audience"], shown["max_seats_per_booking"]) == ("Aperto", ["scuola"], 25)
    assert client.get(f"/api/v1/events/{draft.id}").status_code == 404
    facilitator = bearer(make_token(make_facilitator(lab)))
    assert client.get(f"/api/v1/events/{draft.id}", headers=facilitator).status_code == 404
    assert client.get("/api/v1/events/999999").status_code == 404


# ---- booking ---------------------------------------------------------------------------------

def test_a_token_books_a_seat_and_gets_the_code_the_mail_and_the_notification(
        client, db_session, make_event, make_user, make_token, outbox):
    event = make_event(capacity=5)
    user = make_user()
    response = book(client, make_token(user), event)
    assert response.status_code == 201, response.get_data(as_text=True)
    [registration] = registrations_of(db_session, event)
    body = response.get_json()
    assert body["id"] == registration.id and body["state"] == "confirmed" and body["seats"] == 1
    assert body["code"] == registration.code and body["waiting_position"] is None
    assert body["event"]["seats_left"] == 4
    # the same mail and notification as a booking made on the page
    [message] = mails_to(outbox, user.email)
    assert message.subject == f"Iscrizione confermata: {event.title}" and registration.code in message.body
    [notification] = db_session.scalars(sa.select(Notification).where(Notification.user_id == user.id)).all()
    assert notification.kind == "registration_confirmed"


def test_a_booking_for_a_full_event_waits_with_its_position_and_no_code(
        client, db_session, make_event, make_user, make_token, register, outbox):  # noqa: F811
    event = make_event(capacity=1, is_online=True, online_url="https://meet.example.org/lab")
    register(event, make_user())
    user = make_user()
    response = book(client, make_token(user), event)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["state"], body["waiting_position"], body["code"], body["online_url"]) == ("waiting", 1, None, None)
    [message] = mails_to(outbox, user.email)
    assert message.subject.startswith("Sei in lista d'attesa")


def test_booking_twice_is_a_409(client, db_session, make_event, make_user, make_token):
    event = make_event()
    token = make_token(make_user())
    assert book(client, token, event).status_code == 201
    again = book(client, token, event)
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "Hai già un’iscrizione a questo evento."
    assert len(registrations_of(db_session, event)) == 1


@pytest.mark.parametrize("fields, message", [
    ({"state": EventState.CANCELLED, "cancel_reason": "Pioggia"}, "L'evento è stato annullato."),
    ({"starts_at": rome_time(days=-2), "state": EventState.FINISHED}, "L'evento è già concluso."),
    ({"registration_closes_at": utcnow() - timedelta(minutes=5)}, "Le iscrizioni sono chiuse."),
])
def test_booking_a_cancelled_past_or_closed_event_is_a_409(client, db_session, make_event, make_user, make_token,
                                                             fields, message):
    event = make_event(**fields)
    response = book(client, make_token(make_user()), event)
    assert response.status_code == 409 and response.get_json()["error"]["message"] == message
    assert registrations_of(db_session, event) == []


def test_a_draft_cannot_be_booked(client, make_event, make_user, make_token):
    event = make_event(state=EventState.DRAFT, published_at=None)
    assert book(client, make_token(make_user()), event).status_code == 404


def test_booking_needs_a_token_with_the_write_scope_and_a_confirmed_account(
        client, db_session, make_event, make_user, make_token):
    event = make_event()
    assert book(client, None, event).status_code == 401
    assert book(client, make_token(make_user(), scopes="read"), event).status_code == 403
    unconfirmed = book(client, make_token(make_user(confirmed=False)), event)
    assert unconfirmed.status_code == 403  # as the page: confirm the address first
    assert "account confermato" in unconfirmed.get_json()["error"]["message"]
    assert registrations_of(db_session, event) == []


def test_a_participant_type_the_event_does_not_admit_is_a_422(client, db_session, make_event, make_user,
                                                              make_token):
    event = make_event(audience=[ParticipantType.SCUOLA])
    response = book(client, make_token(make_user()), event)
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "Questo evento è riservato a: Scuola."
    assert registrations_of(db_session, event) == []


def test_a_teacher_books_her_class_for_her_school(client, db_session, make_event, make_token, teacher):  # noqa: F811
    user, school = teacher
    event = make_event(capacity=30, max_seats_per_booking=25, audience=[ParticipantType.SCUOLA])
    # her only school is chosen for her, as on the page; the name is cleaned as the page's fields are
    response = book(client, make_token(user), event, seats=20, group_name="Classe 3B\u202e")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["seats"], body["group_name"], body["organisation"]) == (
        20, "Classe 3B", {"id": school.id, "name": "IC 12 Bologna"})
    assert body["event"]["seats_left"] == 10


@pytest.mark.parametrize("body, field, message", [
    ({"seats": 20, "group_name": ""}, "group_name", "Scrivi il nome del gruppo"),
    ({"seats": 26, "group_name": "Classe 3B"}, "seats", "al massimo 25 posti"),
    ({"seats": 0}, "seats", "almeno 1"),
    ({"seats": 2, "group_name": "x" * 121}, "group_name", "al massimo 120"),
    ({"seats": 1, "posti": 2}, "posti", "non previsto"),
])
def test_a_groups_rules_are_422_on_their_field(client, db_session, make_event, make_token, teacher,  # noqa: F811
                                               body, field, message):
    user, _school = teacher
    event = make_event(max_seats_per_booking=25)
    response = book(client, make_token(user), event, **body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert message in response.get_json()["error"]["fields"][field]
    assert registrations_of(db_session, event) == []


def test_a_group_for_an_organisation_that_is_not_hers_is_a_422(client, db_session, make_event, make_token,
                                                                teacher):  # noqa: F811
    from civiclab.accounts.models import Organisation

    user, _school = teacher
    other = Organisation(name="Altra scuola", name_key="altra scuola", kind=ParticipantType.SCUOLA)
    db_session.add(other)
    db_session.commit()
    event = make_event(max_seats_per_booking=25)
    response = book(client, make_token(user), event, seats=20, group_name="Classe 3B", organisation_id=other.id)
    assert response.status_code == 422
    assert "organizzazione verificata" in response.get_json()["error"]["fields"]["organisation_id"]
    assert registrations_of(db_session, event) == []


def test_a_person_without_an_organisation_books_one_seat_only(client, db_session, make_event, make_user,
                                                              make_token):
    event = make_event(max_seats_per_booking=10)
    response = book(client, make_token(make_user()), event, seats=3, group_name="Amici")
    assert response.status_code == 422
    assert "Solo chi agisce per un'organizzazione" in response.get_json()["error"]["fields"]["seats"]


def test_a_member_of_an_unverified_school_books_one_seat_only(client, db_session, make_event, make_user,
                                                              make_token):
    from civiclab.accounts.models import Membership, MembershipStatus, Organisation

    user = make_user(participant_type=ParticipantType.SCUOLA)
    school = Organisation(name="Scuola nuova", name_key="scuola nuova", kind=ParticipantType.SCUOLA)
    db_session.add_all([school, Membership(organisation=school, user=user, status=MembershipStatus.ACTIVE)])
    db_session.commit()
    event = make_event(max_seats_per_booking=25)
    response = book(client, make_token(user), event, seats=20, group_name="Classe 3B", organisation_id=school.id)
    assert response.status_code == 422
    assert "non è ancora verificata" in response.get_json()["error"]["fields"]["seats"]


def test_booking_is_rate_limited_per_person_as_the_page(limited_client, db_session, make_event, make_user,
                                                        make_token):
    events = [make_event() for _ in range(3)]
    token, other = make_token(make_user()), make_token(make_user())
    answers = [book(limited_client, token, event).status_code for event in events]
    assert answers == [201, 201, 429]  # RATELIMIT_WRITE: 2 per minute in the limited app
    assert book(limited_client, other, events[2]).status_code == 201


# ---- a registration: reading and cancelling ---------------------------------------------------------

@pytest.fixture
def booked(in_request, db_session, make_event, make_user):
    """A confirmed registration of the only seat of an event, and a second person waiting."""
    event = make_event(capacity=1)
    registration = services.book(make_user(), event)
    waiting = services.book(make_user(), event)
    db_session.commit()
    return registration, waiting


def test_the_owner_reads_a_registration_others_are_refused_as_on_the_page(client, make_user, make_token, booked):
    registration, waiting = booked
    mine = client.get(f"/api/v1/registrations/{registration.id}", headers=bearer(make_token(registration.user,
                                                                                             scopes="read")))
    assert mine.status_code == 200
    assert (mine.get_json()["state"], mine.get_json()["code"]) == ("confirmed", registration.code)
    theirs = client.get(f"/api/v1/registrations/{waiting.id}", headers=bearer(make_token(waiting.user)))
    assert theirs.get_json()["waiting_position"] == 1
    stranger = bearer(make_token(make_user()))
    assert client.get(f"/api/v1/registrations/{registration.id}", headers=stranger).status_code == 403
    assert client.get(f"/api/v1/registrations/{registration.id}").status_code == 401
    assert client.get("/api/v1/registrations/999999", headers=stranger).status_code == 404


def test_cancelling_promotes_the_first_in_line_who_is_told(client, db_session, make_token, booked, outbox):
    registration, waiting = booked
    outbox.clear()
    response = client.post(f"/api/v1/registrations/{registration.id}/cancel",
                           headers=bearer(make_token(registration.user)))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "cancelled" and response.get_json()["cancelled_at"]
    db_session.refresh(waiting)
    assert waiting.state is RegistrationState.CONFIRMED and waiting.event.confirmed_seats == 1
    [message] = mails_to(outbox, waiting.user.email)
    assert message.subject.startswith("Si è liberato un posto")
    again = client.post(f"/api/v1/registrations/{registration.id}/cancel",
                        headers=bearer(make_token(registration.user)))
    assert again.status_code == 409 and again.get_json()["error"]["message"] == "Questa iscrizione è già annullata."


def test_cancelling_is_refused_to_strangers_read_tokens_and_after_the_start(client, db_session, make_user,
                                                                            make_token, booked):
    registration, _waiting = booked
    url = f"/api/v1/registrations/{registration.id}/cancel"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=bearer(make_token(registration.user, scopes="read"))).status_code == 403
    assert client.post(url, headers=bearer(make_token(make_user()))).status_code == 403
    registration.event.starts_at = utcnow() - timedelta(minutes=10)
    db_session.commit()
    started = client.post(url, headers=bearer(make_token(registration.user)))
    assert started.status_code == 409
    assert "non si può più annullare" in started.get_json()["error"]["message"]
    db_session.refresh(registration)
    assert registration.state is RegistrationState.CONFIRMED


def test_who_runs_the_event_cancels_a_booking_as_on_the_page(client, db_session, make_facilitator, make_token,
                                                             booked):
    registration, _waiting = booked
    facilitator = bearer(make_token(make_facilitator(registration.event.lab)))
    response = client.post(f"/api/v1/registrations/{registration.id}/cancel", headers=facilitator)
    assert response.status_code == 200 and response.get_json()["state"] == "cancelled"


def test_the_openapi_document_describes_the_events_operations(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/events", "/events/{event_id}", "/events/{event_id}/registrations",
            "/registrations/{registration_id}", "/registrations/{registration_id}/cancel"} <= set(spec["paths"])
    booking = spec["paths"]["/events/{event_id}/registrations"]["post"]
    assert {"201", "401", "403", "409", "422", "429"} <= set(booking["responses"])
    names = {p["name"] for p in spec["paths"]["/events"]["get"]["parameters"]}
    assert {"city", "lab", "from", "to", "audience", "when", "limit", "cursor"} <= names
