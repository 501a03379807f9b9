"""Who gets what from every accounts route: visitors, participants, approvers."""
import pytest

from civiclab.accounts.models import Membership, MembershipStatus, Organisation, ParticipantType
from tests.conftest import login
from tests.unit.accounts.helpers import link_in

PUBLIC_PAGES = ["/account/registrati", "/account/registrati/controlla-email", "/account/accedi",
                "/account/password-dimenticata", "/account/password-dimenticata/inviata", "/organizzazioni"]
PRIVATE_PAGES = ["/account/profilo", "/account/profilo/modifica", "/account/password",
                 "/account/i-miei-dati.json", "/account/elimina", "/account/esci"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_answer_visitors(client, db_session, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_private_pages_answer_a_signed_in_participant(client, make_user, path):
    login(client, make_user())
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", PRIVATE_PAGES[:-1])
def test_private_pages_send_visitors_to_login(client, db_session, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/accedi?next=")


def test_signed_in_users_skip_the_registration_form(client, make_user):
    login(client, make_user())
    assert client.get("/account/registrati").status_code == 302


def test_a_garbage_confirmation_token_is_a_clear_400(client, db_session):
    response = client.get("/account/conferma/not-a-token")
    assert response.status_code == 400
    assert "Il link non è valido" in response.text


def test_an_unconfirmed_user_gets_a_new_confirmation_link(client, db_session, make_user, outbox):
    user = make_user(confirmed=False)
    login(client, user)

    response = client.post("/account/conferma/invia-di-nuovo")

    assert response.status_code == 302
    assert [m.recipients for m in outbox] == [[user.email]]
    assert client.get(link_in(outbox[0], "/account/conferma/")).status_code == 200
    db_session.refresh(user)
    assert user.is_confirmed


def test_a_confirmed_user_is_told_there_is_nothing_to_resend(client, make_user, outbox):
    login(client, make_user())
    page = client.post("/account/conferma/invia-di-nuovo", follow_redirects=True)
    assert "già confermato" in page.text
    assert outbox == []


def test_the_organisation_page_offers_actions_by_role(client, db_session, make_user, make_city, make_staff):
    school = Organisation(name="IC 5", name_key="ic 5", kind=ParticipantType.SCUOLA)
    member = make_user(participant_type=ParticipantType.SCUOLA)
    requester = make_user(display_name="Chi Chiede", participant_type=ParticipantType.SCUOLA)
    db_session.add_all([school, Membership(organisation=school, user=member, status=MembershipStatus.ACTIVE),
                        Membership(organisation=school, user=requester, status=MembershipStatus.PENDING)])
    db_session.commit()
    url = f"/organizzazioni/{school.id}"

    assert "Accedi per chiedere di aderire" in client.get(url).text
    for viewer, sees_requests in [(member, True), (make_staff(make_city()), True),
                                  (make_user(is_admin=True), True), (make_user(), False)]:
        login(client, viewer)
        page = client.get(url).text
        assert ("Chi Chiede" in page) is sees_requests, viewer
        assert ("Approva" in page) is sees_requests, viewer
