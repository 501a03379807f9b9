"""The management dashboard, and appointing municipality staff and lab facilitators by email."""
import pytest
import sqlalchemy as sa

from civiclab.places.models import CityStaff, LabFacilitator
from tests.conftest import login


@pytest.fixture
def rimini(make_city):
    return make_city(name="Rimini")


def test_administrators_appoint_and_remove_municipality_staff(client, db_session, rimini, make_user):
    person = make_user(email="Giulia@Example.org", display_name="Giulia")
    login(client, make_user(is_admin=True))

    response = client.post("/gestione/citta/rimini/personale", data={"email": "giulia@example.org"})

    assert response.status_code == 302
    assert db_session.scalar(sa.select(CityStaff).filter_by(user_id=person.id, city_id=rimini.id))
    page = client.get("/gestione/citta/rimini/ruoli")
    assert "Giulia" in page.text
    again = client.post("/gestione/citta/rimini/personale", data={"email": "giulia@example.org"})
    assert again.status_code == 422 and "fa già parte del personale" in again.text

    removed = client.post(f"/gestione/citta/rimini/personale/{person.id}/rimuovi")
    assert removed.status_code == 302
    assert db_session.scalar(sa.select(CityStaff).filter_by(user_id=person.id)) is None


def test_appointing_an_unknown_email_is_a_form_error(client, rimini, make_user):
    login(client, make_user(is_admin=True))

    response = client.post("/gestione/citta/rimini/personale", data={"email": "nessuno@example.org"})

    assert response.status_code == 422
    assert "Nessun utente registrato con questo indirizzo email." in response.text


def test_staff_cannot_appoint_staff(client, rimini, make_staff, make_user):
    person = make_user()
    login(client, make_staff(rimini))

    assert client.post("/gestione/citta/rimini/personale", data={"email": person.email}).status_code == 403
    page = client.get("/gestione/citta/rimini/ruoli")
    assert page.status_code == 200 and "Nomina nel personale" not in page.text


def test_staff_appoint_and_remove_a_facilitator_of_their_lab(client, db_session, rimini, make_staff, make_lab,
                                                              make_user):
    lab = make_lab(city=rimini, name="Laboratorio aperto di Rimini")
    person = make_user(display_name="Marco")
    login(client, make_staff(rimini))

    response = client.post("/gestione/citta/rimini/facilitatori", data={"lab_id": lab.id, "email": person.email})

    assert response.status_code == 302
    assert db_session.scalar(sa.select(LabFacilitator).filter_by(user_id=person.id, lab_id=lab.id))
    assert "Marco" in client.get("/gestione/citta/rimini/ruoli").text

    removed = client.post(f"/gestione/laboratori/{lab.id}/facilitatori/{person.id}/rimuovi")
    assert removed.status_code == 302
    assert db_session.scalar(sa.select(LabFacilitator).filter_by(user_id=person.id)) is None


def test_staff_of_another_city_cannot_appoint_facilitators(client, db_session, rimini, make_city, make_staff,
                                                           make_lab, make_user, make_facilitator):
    lab = make_lab(city=rimini)
    facilitator = make_facilitator(lab)
    login(client, make_staff(make_city(name="Cesena")))

    assert client.get("/gestione/citta/rimini/ruoli").status_code == 403
    assert client.post("/gestione/citta/rimini/facilitatori",
                       data={"lab_id": lab.id, "email": make_user().email}).status_code == 403
    assert client.post(f"/gestione/laboratori/{lab.id}/facilitatori/{facilitator.id}/rimuovi").status_code == 403
    assert db_session.scalar(sa.select(LabFacilitator).filter_by(user_id=facilitator.id))


def test_a_lab_of_another_city_cannot_be_chosen(client, rimini, make_city, make_staff, make_lab, make_user):
    other_lab = make_lab(city=make_city(name="Cesena"))
    make_lab(city=rimini)
    login(client, make_staff(rimini))

    response = client.post("/gestione/citta/rimini/facilitatori", data={"lab_id": other_lab.id,
                                                                        "email": make_user().email})

    assert response.status_code == 422


def test_dashboard_lists_the_staff_city_labs_and_projects_only(client, rimini, make_city, make_staff, make_lab,
                                                               make_project):
    make_lab(city=rimini, name="Lab di Rimini")
    make_project(city=rimini, code="RN1", published=False)
    make_project(city=make_city(name="Cesena"), code="FC1")
    login(client, make_staff(rimini))

    page = client.get("/gestione")

    assert page.status_code == 200
    assert "Lab di Rimini" in page.text and "RN1" in page.text and "Bozza" in page.text
    assert "FC1" not in page.text and "Cesena" not in page.text
    assert "/progetti/RN1/modifica" in page.text and "/citta/rimini/progetti/nuovo" in page.text


def test_dashboard_is_closed_to_participants_and_facilitators(client, make_user, make_lab, make_facilitator):
    for user in (make_user(), make_facilitator(make_lab())):
        login(client, user)
        assert client.get("/gestione").status_code == 403


def test_administrators_see_every_city_on_the_dashboard(client, rimini, make_city, make_user):
    make_city(name="Cesena")
    login(client, make_user(is_admin=True))

    page = client.get("/gestione")

    assert "Rimini" in page.text and "Cesena" in page.text
