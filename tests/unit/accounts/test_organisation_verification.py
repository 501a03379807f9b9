"""New organisations wait for the staff of their city: the page that lists them, the decision,
who may take it, and the mail that tells the organisation's creator."""
import pytest

from civiclab.accounts.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationVerification,
    ParticipantType,
)
from tests.conftest import login
from tests.unit.accounts.helpers import registration_data, user_with_email


@pytest.fixture
def invented_school(db_session, make_user, bologna):
    """A school somebody registered along with their account, and that somebody."""
    creator = make_user(email="creatore@example.org", display_name="Creatore",
                        participant_type=ParticipantType.SCUOLA)
    school = Organisation(name="Istituto Inventato", name_key="istituto inventato", kind=ParticipantType.SCUOLA,
                          city_name="Bologna", city_id=bologna.id)
    db_session.add_all([school, Membership(organisation=school, user=creator, status=MembershipStatus.ACTIVE)])
    db_session.commit()
    return school


def test_an_organisation_registered_with_an_account_waits_for_its_citys_staff(client, db_session, bologna):
    client.post("/account/registrati", data=registration_data(
        participant_type="scuola", organisation_mode="new",
        new_organisation_name="Liceo Galvani", new_organisation_city="bologna"))

    [membership] = user_with_email(db_session, "anna.bianchi@example.org").memberships
    school = membership.organisation
    assert school.verification is OrganisationVerification.UNVERIFIED and not school.is_verified
    assert school.city_id == bologna.id  # its staff verify it


def test_the_citys_staff_see_the_organisations_waiting_and_verify_one(client, db_session, invented_school,
                                                                       make_staff, bologna, outbox):
    staff = make_staff(bologna)
    login(client, staff)

    page = client.get("/gestione/organizzazioni")
    assert page.status_code == 200 and "Istituto Inventato" in page.text
    response = client.post(f"/gestione/organizzazioni/{invented_school.id}/verifica",
                           data={"decision": "approve"})

    assert response.status_code == 302
    db_session.refresh(invented_school)
    assert invented_school.is_verified and invented_school.verification_decided_by_id == staff.id
    [mail] = outbox
    assert mail.recipients == ["creatore@example.org"] and "ha verificato Istituto Inventato" in mail.body
    assert f'id="org-{invented_school.id}"' not in client.get("/gestione/organizzazioni").text


def test_refusing_an_organisation_needs_a_reason_which_its_creator_reads(client, db_session, invented_school,
                                                                         make_staff, bologna, outbox):
    login(client, make_staff(bologna))
    url = f"/gestione/organizzazioni/{invented_school.id}/verifica"

    without_reason = client.post(url, data={"decision": "refuse"})
    assert without_reason.status_code == 422 and "Scrivi il motivo" in without_reason.text
    db_session.refresh(invented_school)
    assert invented_school.awaits_verification and outbox == []

    reason = "Nessuna scuola con questo nome nell'anagrafe del Ministero."
    assert client.post(url, data={"decision": "refuse", f"org{invented_school.id}-reason": reason}).status_code == 302
    db_session.refresh(invented_school)
    assert invented_school.verification is OrganisationVerification.REJECTED
    assert invented_school.verification_reason == reason
    [mail] = outbox
    assert mail.recipients == ["creatore@example.org"] and reason in mail.body


def test_staff_of_another_city_neither_see_nor_verify_the_organisation(client, db_session, invented_school,
                                                                       make_staff, make_city):
    login(client, make_staff(make_city(name="Modena")))

    assert f'id="org-{invented_school.id}"' not in client.get("/gestione/organizzazioni").text
    response = client.post(f"/gestione/organizzazioni/{invented_school.id}/verifica", data={"decision": "approve"})

    assert response.status_code == 403
    db_session.refresh(invented_school)
    assert invented_school.awaits_verification


@pytest.mark.parametrize("who", ["creator", "participant", "facilitator"])
def test_members_participants_and_facilitators_may_not_verify(client, db_session, invented_school, make_user,
                                                              make_facilitator, make_lab, bologna, who):
    user = {"creator": lambda: user_with_email(db_session, "creatore@example.org"),
            "participant": make_user,
            "facilitator": lambda: make_facilitator(make_lab(city=bologna))}[who]()
    login(client, user)

    assert client.get("/gestione/organizzazioni").status_code == 403
    assert client.post(f"/gestione/organizzazioni/{invented_school.id}/verifica",
                       data={"decision": "approve"}).status_code == 403
    db_session.refresh(invented_school)
    assert invented_school.awaits_verification


def test_an_administrator_verifies_an_organisation_of_no_civiclab_city(client, db_session, make_user):
    school = Organisation(name="Scuola di Casalecchio", name_key="scuola di casalecchio",
                          kind=ParticipantType.SCUOLA, city_name="Casalecchio di Reno")
    db_session.add(school)
    db_session.commit()
    login(client, make_user(is_admin=True))

    assert "Scuola di Casalecchio" in client.get("/gestione/organizzazioni").text
    assert client.post(f"/gestione/organizzazioni/{school.id}/verifica",
                       data={"decision": "approve"}).status_code == 302
    db_session.refresh(school)
    assert school.is_verified


def test_an_anonymous_visitor_is_sent_to_sign_in(client, invented_school):
    assert client.get("/gestione/organizzazioni").headers["Location"].startswith("/account/accedi")


def test_the_organisation_page_says_it_is_not_verified_yet(client, invented_school):
    page = client.get(f"/organizzazioni/{invented_school.id}")

    assert "In attesa di verifica" in page.text and "come singola persona" in page.text
