import sqlalchemy as sa

from civiclab.accounts.models import Membership, MembershipStatus, Organisation, ParticipantType
from tests.unit.accounts.helpers import (
    STRONG, link_in, registration_data, user_with_email, users_count, without_csrf_tokens,
)


def test_registration_stores_the_user_with_consent_time_and_mails_a_confirmation_link(
        client, db_session, outbox):
    response = client.post("/account/registrati", data=registration_data())

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/registrati/controlla-email")
    user = user_with_email(db_session, "anna.bianchi@example.org")
    assert user.display_name == "Anna Bianchi"
    assert user.participant_type is ParticipantType.CITTADINO
    assert user.privacy_consent_at is not None
    assert user.email_confirmed_at is None
    assert user.check_password(STRONG)
    assert [m.recipients for m in outbox] == [["anna.bianchi@example.org"]]
    assert "/account/conferma/" in outbox[0].body


def test_the_confirmation_link_confirms_the_address(client, db_session, outbox):
    client.post("/account/registrati", data=registration_data())
    link = link_in(outbox[0], "/account/conferma/")

    response = client.get(link)

    assert response.status_code == 200
    assert "Indirizzo email confermato" in response.text
    assert user_with_email(db_session, "anna.bianchi@example.org").email_confirmed_at is not None


def test_a_tampered_confirmation_link_is_refused_with_a_clear_message(client, db_session, outbox):
    client.post("/account/registrati", data=registration_data())
    link = link_in(outbox[0], "/account/conferma/")

    response = client.get(link[:-3] + "xyz")

    assert response.status_code == 400
    assert "Il link non è valido" in response.text
    assert user_with_email(db_session, "anna.bianchi@example.org").email_confirmed_at is None


def test_the_check_your_mail_page_explains_what_to_do(client):
    response = client.get("/account/registrati/controlla-email")
    assert response.status_code == 200
    assert "Controlla la tua posta" in response.text


def test_a_registered_email_gets_the_same_answer_and_no_second_account(client, db_session, outbox,
                                                                       make_user):
    make_user(email="taken@example.org", display_name="Già Registrata")
    before = users_count(db_session)

    fresh = client.post("/account/registrati", data=registration_data(email="fresh@example.org"))
    taken = client.post("/account/registrati", data=registration_data(email="taken@example.org"))

    assert (taken.status_code, taken.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    assert taken.data == fresh.data
    assert (without_csrf_tokens(client.get(taken.headers["Location"]).text)
            == without_csrf_tokens(client.get(fresh.headers["Location"]).text))
    assert users_count(db_session) == before + 1
    owner_mail = [m for m in outbox if m.recipients == ["taken@example.org"]]
    assert len(owner_mail) == 1
    assert "tentativo di registrazione" in owner_mail[0].subject.lower()
    assert "/account/conferma/" not in owner_mail[0].body


def test_a_registered_email_is_recognised_whatever_its_case(client, db_session, make_user):
    make_user(email="taken@example.org")
    before = users_count(db_session)
    client.post("/account/registrati", data=registration_data(email="  Taken@Example.ORG "))
    assert users_count(db_session) == before


def test_a_weak_password_is_refused_with_a_form_error(client, db_session):
    for weak, reason in [("corta1!", "almeno 10 caratteri"),
                         ("12345678901", "solo da numeri"),
                         ("password123", "troppo comune"),
                         ("anna bianchi", "uguale al tuo indirizzo email o al tuo nome")]:
        response = client.post("/account/registrati",
                               data=registration_data(password=weak, password_confirm=weak))
        assert response.status_code == 422, weak
        assert reason in response.text, weak
    assert user_with_email(db_session, "anna.bianchi@example.org") is None


def test_the_password_confirmation_must_match(client, db_session):
    response = client.post("/account/registrati", data=registration_data(password_confirm="Altra-Password-99"))
    assert response.status_code == 422
    assert "Le due password non coincidono" in response.text


def test_consent_to_the_privacy_notice_is_required(client, db_session, outbox):
    response = client.post("/account/registrati", data=registration_data(privacy_consent=None))

    assert response.status_code == 422
    assert "Per registrarti devi accettare" in response.text
    assert user_with_email(db_session, "anna.bianchi@example.org") is None
    assert outbox == []


# The honeypot and the rate limit: tests/unit/accounts/test_registration_spam.py


def test_non_citizens_must_name_their_organisation(client, db_session):
    response = client.post("/account/registrati", data=registration_data(participant_type="scuola"))

    assert response.status_code == 422
    assert "Scegli la tua organizzazione" in response.text
    assert user_with_email(db_session, "anna.bianchi@example.org") is None


def test_a_new_organisation_makes_the_registrant_its_first_active_member(client, db_session):
    response = client.post("/account/registrati", data=registration_data(
        participant_type="scuola", organisation_mode="new",
        new_organisation_name="  Liceo   Galvani ", new_organisation_city="Bologna"))

    assert response.status_code == 302
    user = user_with_email(db_session, "anna.bianchi@example.org")
    [membership] = user.memberships
    assert membership.status is MembershipStatus.ACTIVE
    assert membership.organisation.name == "Liceo Galvani"
    assert membership.organisation.kind is ParticipantType.SCUOLA
    assert membership.organisation.city_name == "Bologna"


def test_a_new_organisation_may_not_copy_an_existing_name(client, db_session):
    db_session.add(Organisation(name="Liceo Galvani", name_key="liceo galvani", kind=ParticipantType.SCUOLA))
    db_session.flush()
    response = client.post("/account/registrati", data=registration_data(
        participant_type="scuola", organisation_mode="new", new_organisation_name="LICEO GALVANI"))

    assert response.status_code == 422
    assert "Esiste già un&#39;organizzazione con questo nome" in response.text


def test_joining_an_existing_organisation_waits_for_approval_and_tells_members_once_confirmed(
        client, db_session, outbox, make_user):
    school = Organisation(name="IC 5 Bologna", name_key="ic 5 bologna", kind=ParticipantType.SCUOLA)
    teacher = make_user(email="preside@example.org", participant_type=ParticipantType.SCUOLA)
    db_session.add_all([school, Membership(organisation=school, user=teacher, status=MembershipStatus.ACTIVE)])
    db_session.flush()

    response = client.post("/account/registrati", data=registration_data(
        participant_type="scuola", organisation_mode="existing", organisation=str(school.id)))

    assert response.status_code == 302
    user = user_with_email(db_session, "anna.bianchi@example.org")
    assert [(m.organisation_id, m.status) for m in user.memberships] == [(school.id, MembershipStatus.PENDING)]
    assert [m.recipients for m in outbox] == [["anna.bianchi@example.org"]]  # approvers wait for confirmation

    client.get(link_in(outbox[0], "/account/conferma/"))

    assert [m.recipients for m in outbox[1:]] == [["preside@example.org"]]
    assert "IC 5 Bologna" in outbox[1].subject


def test_an_organisation_of_another_kind_cannot_be_picked(client, db_session):
    firm = Organisation(name="Ditta Rossi", name_key="ditta rossi", kind=ParticipantType.IMPRESA)
    db_session.add(firm)
    db_session.flush()
    response = client.post("/account/registrati", data=registration_data(
        participant_type="scuola", organisation_mode="existing", organisation=str(firm.id)))

    assert response.status_code == 422
    assert "non è del tipo che hai indicato" in response.text
    assert db_session.scalar(sa.select(sa.func.count(Membership.id))) == 0


def test_the_registration_form_lists_participant_types_in_italian(client):
    page = client.get("/account/registrati").text
    for label in ["Cittadino", "Scuola", "Impresa", "Terzo settore", "Università / ricerca", "Ente pubblico"]:
        assert label in page


def test_the_confirmation_mail_is_written_in_the_registrants_language(client, db_session, outbox):
    client.post("/account/registrati", data=registration_data(), headers={"Accept-Language": "en"})
    user = user_with_email(db_session, "anna.bianchi@example.org")
    assert user.locale == "en"
    assert outbox[0].recipients == ["anna.bianchi@example.org"]


def test_a_typed_new_organisation_name_counts_when_none_is_picked(client, db_session):
    response = client.post("/account/registrati", data=registration_data(
        participant_type="impresa", organisation_mode="existing", organisation="",
        new_organisation_name="Officine Rossi"))

    assert response.status_code == 302
    [membership] = user_with_email(db_session, "anna.bianchi@example.org").memberships
    assert (membership.organisation.name, membership.status) == ("Officine Rossi", MembershipStatus.ACTIVE)
