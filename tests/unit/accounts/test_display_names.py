"""Display names and organisation names go through the one normaliser, and a participant's name
may not pass for a municipality, an organisation they are not part of, or a role."""
import pytest

from civiclab.accounts.models import (
    Membership,
    MembershipStatus,
    Organisation,
    ParticipantType,
    User,
)
from tests.conftest import login, text_of
from tests.unit.accounts.helpers import registration_data, user_with_email


def edit_name(client, name):
    return client.post("/account/profilo/modifica", data={"display_name": name, "bio": "", "locale": "it"})


@pytest.mark.parametrize("name", ["Comune di Bologna", "comune  di BOLOGNA", "Comune di\u200b Bologna",
                                  "Ｃｏｍｕｎｅ ｄｉ Ｂｏｌｏｇｎａ", "Città metropolitana di Bologna",
                                  "Amministratore", "facilitatore", "Utente eliminato", "Moderazione"])
def test_a_participant_may_not_take_a_municipality_s_or_a_role_s_name(client, db_session, make_user, bologna, name):
    user = make_user(display_name="Giulia Verdi")
    login(client, user)

    response = edit_name(client, name)

    assert response.status_code == 422
    assert "Questo nome è riservato" in text_of(response)
    db_session.refresh(user)
    assert user.display_name == "Giulia Verdi"


def test_the_city_s_staff_may_call_themselves_after_its_municipality(client, db_session, make_staff, bologna):
    staff = make_staff(bologna)
    login(client, staff)

    assert edit_name(client, "Comune di Bologna").status_code == 302
    db_session.refresh(staff)
    assert staff.display_name == "Comune di Bologna"


def test_a_name_that_only_contains_a_municipality_s_name_is_fine(client, db_session, make_user, bologna):
    login(client, make_user())

    assert edit_name(client, "Mario, cittadino del Comune di Bologna").status_code == 302


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\u3164\u3164", "\u202e \u202c", "\u2800\u2800"])
def test_a_blank_looking_name_is_refused_with_a_form_error(client, db_session, make_user, blank):
    login(client, make_user())

    response = edit_name(client, blank)

    assert response.status_code == 422
    assert "Scrivi un nome con lettere o cifre visibili." in text_of(response)


def test_bidi_overrides_and_zero_width_characters_are_stripped_from_the_name(client, db_session, make_user):
    user = make_user()
    login(client, user)

    assert edit_name(client, "\u202eGiulia\u200b Verdi\u202c").status_code == 302
    db_session.refresh(user)
    assert user.display_name == "Giulia Verdi"


def test_a_lone_surrogate_in_the_name_is_a_form_error_not_a_500(app, db_session, make_user):
    from civiclab.accounts import services
    from civiclab.core.errors import DomainError

    with app.test_request_context(), pytest.raises(DomainError, match="caratteri non validi") as refused:
        services.update_profile(make_user(), "Mario \ud800", "", "it")
    assert refused.value.field == "display_name"


def test_an_organisation_s_name_is_for_its_members(client, db_session, make_user):
    school = Organisation(name="Liceo Galvani", name_key="liceo galvani", kind=ParticipantType.SCUOLA)
    member = make_user(participant_type=ParticipantType.SCUOLA)
    db_session.add_all([school, Membership(organisation=school, user=member, status=MembershipStatus.ACTIVE)])
    db_session.commit()

    login(client, make_user())
    outsider = edit_name(client, "LICEO galvani")
    login(client, member)
    inside = edit_name(client, "Liceo Galvani")

    assert outsider.status_code == 422
    assert "È il nome di un'organizzazione di cui non fai parte" in text_of(outsider)
    assert inside.status_code == 302


def test_registering_with_a_municipality_s_name_is_refused(client, db_session, bologna):
    response = client.post("/account/registrati", data=registration_data(display_name="Comune di Bologna"))

    assert response.status_code == 422
    assert "Questo nome è riservato" in text_of(response)
    assert db_session.query(User).filter_by(display_name="Comune di Bologna").count() == 0


def test_a_school_registering_may_take_the_name_of_the_organisation_it_creates(client, db_session):
    response = client.post("/account/registrati", data=registration_data(
        display_name="Liceo Minghetti", participant_type="scuola", organisation_mode="new",
        new_organisation_name="Liceo\u200b Minghetti", new_organisation_city="\u202eBologna"))

    assert response.status_code == 302
    user = user_with_email(db_session, "anna.bianchi@example.org")
    [membership] = user.memberships
    assert (user.display_name, membership.organisation.name) == ("Liceo Minghetti", "Liceo Minghetti")
    assert membership.organisation.city_name == "Bologna"


def test_a_blank_looking_organisation_name_is_refused(client, db_session):
    response = client.post("/account/registrati", data=registration_data(
        participant_type="scuola", organisation_mode="new", new_organisation_name="\u200b\u3164"))

    assert response.status_code == 422
    assert "Scrivi un nome con lettere o cifre visibili." in text_of(response)
    assert db_session.query(Organisation).count() == 0
