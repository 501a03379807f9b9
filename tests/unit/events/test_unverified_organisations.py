"""Seat hoarding by invented schools: until the city's staff verify an organisation, its members
book as individuals (one seat, no group, no events reserved to its kind)."""
import pytest

from civiclab.accounts import organisations
from civiclab.accounts.models import Membership, MembershipStatus, Organisation, ParticipantType
from civiclab.core.errors import DomainError
from civiclab.events import services
from civiclab.events.models import RegistrationState
from tests.conftest import login


@pytest.fixture
def hoarder(db_session, make_user):
    """A new account that declared an invented school: its only, active member."""
    user = make_user(participant_type=ParticipantType.SCUOLA, display_name="Nuovo account")
    school = organisations.create_organisation("Istituto Inventato", ParticipantType.SCUOLA, "Bologna")
    db_session.add(Membership(organisation=school, user=user, status=MembershipStatus.ACTIVE))
    db_session.commit()
    db_session.refresh(user)
    return user, school


def test_a_member_of_an_unverified_school_cannot_book_a_class(in_request, make_event, hoarder):
    user, school = hoarder
    event = make_event(capacity=24, max_seats_per_booking=25)

    with pytest.raises(DomainError, match="non è ancora verificata"):
        services.book(user, event, seats=24, group_name="Classe 3B", organisation=school)
    assert event.confirmed_seats == 0


def test_a_member_of_an_unverified_school_books_one_seat_as_a_citizen(in_request, make_event, hoarder):
    user, _school = hoarder

    registration = services.book(user, make_event())

    assert registration.seats == 1 and registration.organisation is None
    assert registration.participant_type is ParticipantType.CITTADINO


def test_a_member_of_an_unverified_school_may_not_book_a_schools_only_event(in_request, make_event, hoarder):
    user, _school = hoarder
    event = make_event(capacity=24, max_seats_per_booking=25, audience=[ParticipantType.SCUOLA])

    with pytest.raises(DomainError, match="riservato a: Scuola"):
        services.book(user, event)
    assert event.confirmed_seats == 0


def test_once_the_citys_staff_verify_the_school_its_member_books_the_class(
        in_request, db_session, make_event, make_user, hoarder):
    user, school = hoarder
    school.decide_verification(True, by=make_user(is_admin=True))
    db_session.commit()
    event = make_event(capacity=24, max_seats_per_booking=25, audience=[ParticipantType.SCUOLA])

    registration = services.book(user, event, seats=20, group_name="Classe 3B", organisation=school)

    assert registration.state is RegistrationState.CONFIRMED and registration.seats == 20
    assert registration.participant_type is ParticipantType.SCUOLA


def test_a_refused_school_stays_closed_to_schools_only_events(in_request, db_session, make_event, make_user,
                                                              hoarder):
    user, school = hoarder
    school.decide_verification(False, by=make_user(is_admin=True), reason="Non esiste")
    db_session.commit()

    with pytest.raises(DomainError):
        services.book(user, make_event(audience=[ParticipantType.SCUOLA]))


def test_the_event_page_offers_one_seat_and_says_why(client, make_event, hoarder):
    user, _school = hoarder
    login(client, user)
    open_event = make_event(max_seats_per_booking=25)
    schools_only = make_event(max_seats_per_booking=25, audience=[ParticipantType.SCUOLA])

    open_page = client.get(f"/eventi/{open_event.id}").text
    closed_page = client.get(f"/eventi/{schools_only.id}").text

    assert 'name="group_name"' not in open_page and 'name="organisation"' not in open_page
    assert "non è ancora verificata dal Comune" in closed_page and 'name="seats"' not in closed_page


def test_group_seats_are_refused_over_http_too(client, db_session, make_event, hoarder):
    user, school = hoarder
    login(client, user)
    event = make_event(capacity=24, max_seats_per_booking=25, audience=[ParticipantType.SCUOLA])

    response = client.post(f"/eventi/{event.id}/iscrizione", data={
        "seats": "24", "group_name": "Classe 3B", "organisation": str(school.id)})

    assert response.status_code == 422
    db_session.refresh(event)
    assert event.confirmed_seats == 0


def test_organisations_made_by_hand_in_tests_or_by_staff_start_unverified(db_session):
    school = Organisation(name="Nuova", name_key="nuova", kind=ParticipantType.SCUOLA)
    db_session.add(school)
    db_session.flush()
    assert not school.is_verified
