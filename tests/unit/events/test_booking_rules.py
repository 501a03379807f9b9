"""The booking rules of events/services.py: seats, waiting list, promotion, refusals."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.models import ParticipantType
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.time import utcnow
from civiclab.events import services
from civiclab.events.models import CODE_ALPHABET, EventState, Registration, RegistrationState


def test_bookings_are_confirmed_while_seats_remain_then_wait(in_request, make_event, make_user):
    event = make_event(capacity=2)
    first, second, third = (services.book(make_user(), event) for _ in range(3))
    assert [r.state for r in (first, second, third)] == [
        RegistrationState.CONFIRMED, RegistrationState.CONFIRMED, RegistrationState.WAITING]
    assert event.confirmed_seats == 2 and event.seats_left == 0


def test_codes_are_eight_characters_without_look_alikes(in_request, make_event, make_user):
    registration = services.book(make_user(), make_event())
    assert len(registration.code) == 8 and set(registration.code) <= set(CODE_ALPHABET)
    assert not set("O0I1") & set(CODE_ALPHABET)


def test_cancellation_promotes_first_waitlisted(in_request, make_event, make_user):
    event = make_event(capacity=1)
    holder, first, second = make_user(), make_user(), make_user()
    held = services.book(holder, event)
    services.book(first, event)
    services.book(second, event)
    services.cancel_registration(holder, held)
    states = {r.user_id: r.state for r in services.active_registrations(event)}
    assert states == {first.id: RegistrationState.CONFIRMED, second.id: RegistrationState.WAITING}


def test_a_group_that_does_not_fit_waits_and_smaller_bookings_behind_it_go_in(
        make_event, make_user, teacher):
    user, school = teacher
    event = make_event(capacity=21, max_seats_per_booking=25)
    holder = make_user()
    held = services.book(holder, event)
    fill = [services.book(make_user(), event) for _ in range(20)]
    assert event.seats_left == 0
    group = services.book(user, event, seats=20, group_name="Classe 3B", organisation=school)
    single = services.book(make_user(), event)
    assert group.state is single.state is RegistrationState.WAITING
    services.cancel_registration(holder, held)  # one seat frees: the class does not fit, one person does
    assert group.state is RegistrationState.WAITING and single.state is RegistrationState.CONFIRMED
    for registration in fill:
        services.cancel_registration(registration.user, registration)
    assert group.state is RegistrationState.CONFIRMED
    assert event.confirmed_seats == 21


def test_a_newcomer_who_fits_is_confirmed_behind_a_waiting_group_that_does_not(
        in_request, make_event, make_user, teacher):
    user, school = teacher
    event = make_event(capacity=10, max_seats_per_booking=25)
    services.book(make_user(), event)
    group = services.book(user, event, seats=10, group_name="Classe 3B", organisation=school)
    latecomer = services.book(make_user(), event)
    assert group.state is RegistrationState.WAITING
    assert latecomer.state is RegistrationState.CONFIRMED  # the same rule as promotion: no empty seat
    assert event.confirmed_seats == 2


@pytest.mark.parametrize("fields, message", [
    ({"registration_closes_at": utcnow() - timedelta(minutes=1)}, "chiuse"),
    ({"state": EventState.CANCELLED}, "annullato"),
    ({"starts_at": utcnow() - timedelta(days=2), "ends_at": utcnow() - timedelta(days=1)}, "concluso"),
    ({"state": EventState.DRAFT}, "pubblicato"),
    ({"registration_opens_at": utcnow() + timedelta(days=1)}, "non sono ancora aperte"),
])
def test_booking_is_refused_when_registration_is_not_open(in_request, make_event, make_user, fields, message):
    event = make_event(**fields)
    with pytest.raises(DomainError, match=message):
        services.book(make_user(), event)


def test_a_participant_type_not_admitted_is_refused(in_request, make_event, make_user):
    event = make_event(audience=[ParticipantType.SCUOLA])
    with pytest.raises(DomainError, match="riservato"):
        services.book(make_user(), event)


def test_more_seats_than_allowed_are_refused(in_request, make_event, make_user, teacher):
    user, school = teacher
    event = make_event(max_seats_per_booking=5)
    with pytest.raises(DomainError, match="al massimo 5"):
        services.book(user, event, seats=6, group_name="Classe 3B", organisation=school)
    with pytest.raises(DomainError, match="organizzazione"):
        services.book(make_user(), event, seats=2, group_name="Amici")


def test_double_booking_is_refused_by_code_and_by_the_database(in_request, db_session, make_event, make_user):
    event, user = make_event(), make_user()
    services.book(user, event)
    with pytest.raises(DomainError, match="già un’iscrizione"):
        services.book(user, event)
    db_session.add(Registration(event=event, user=user, seats=1, state=RegistrationState.WAITING,
                                participant_type=user.participant_type, code="ABCDEFGH"))
    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()


def test_capacity_cannot_drop_below_the_confirmed_seats(in_request, make_event, make_user, make_staff):
    event = make_event(capacity=3)
    for _ in range(3):
        services.book(make_user(), event)
    staff = make_staff(event.lab.city)
    with pytest.raises(DomainError, match="3 posti confermati"):
        services.update_event(staff, event, {"capacity": 2})
    assert event.capacity == 3


def test_raising_capacity_promotes_the_waiting(in_request, make_event, make_user, make_staff):
    event = make_event(capacity=1)
    services.book(make_user(), event)
    waiting = services.book(make_user(), event)
    services.update_event(make_staff(event.lab.city), event, {"capacity": 2})
    assert waiting.state is RegistrationState.CONFIRMED


def test_cancelling_the_event_cancels_every_registration(in_request, make_event, make_user, make_facilitator):
    event = make_event(capacity=1)
    registrations = [services.book(make_user(), event) for _ in range(2)]
    services.cancel_event(make_facilitator(event.lab), event, "Il laboratorio è chiuso per lavori.")
    assert event.state is EventState.CANCELLED and event.confirmed_seats == 0
    assert all(r.state is RegistrationState.CANCELLED for r in registrations)


def test_a_facilitator_of_another_lab_cannot_edit_the_event(in_request, make_event, make_facilitator, make_lab):
    event = make_event()
    with pytest.raises(NotAllowed):
        services.update_event(make_facilitator(make_lab()), event, {"title": "Altro"})


def test_facilitators_hear_of_50_80_100_percent_once(in_request, make_event, make_user):
    from civiclab.core import signals

    heard = []
    event = make_event(capacity=10)
    with signals.seats_threshold_reached.connected_to(lambda sender, level: heard.append(level)):
        for _ in range(10):
            services.book(make_user(), event)
        services.cancel_registration(*_last(event))
        services.book(make_user(), event)
    assert heard == [50, 80, 100]


def _last(event):
    registration = services.active_registrations(event)[-1]
    return registration.user, registration


def test_a_guest_link_used_twice_holds_one_seat(in_request, make_event):
    event = make_event()
    first = services.book_as_guest(event.id, "Anna Verdi", "Anna@Example.org")
    again = services.book_as_guest(event.id, "Anna Verdi", "anna@example.org")
    assert first.id == again.id and event.confirmed_seats == 1


def test_one_person_holds_one_seat_whether_as_guest_or_with_the_account(in_request, make_event, make_user):
    event = make_event()
    user = make_user(email="anna.verdi@example.org")
    services.book_as_guest(event.id, "Anna Verdi", "Anna.Verdi@example.org")
    with pytest.raises(DomainError, match="come ospite"):
        services.book(user, event)

    other = make_event()
    services.book(user, other)
    with pytest.raises(DomainError, match="già un'iscrizione"):
        services.book_as_guest(other.id, "Anna Verdi", "anna.verdi@example.org")
    assert other.confirmed_seats == 1
