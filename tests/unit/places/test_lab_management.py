"""Municipality staff create and edit their city's labs; nobody else can."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from civiclab.places.models import Lab
from tests.conftest import login


def lab_form(**changes):
    values = {
        "name": "Laboratorio aperto di Modena", "venue": "ex centrale AEM",
        "theme": "cultura, spettacolo e creatività", "address": "ex centrale AEM, Modena",
        "latitude": "44,6471", "longitude": "10,9252", "description": "Primo paragrafo.\nSecondo.",
        "ict_facilities": "Wi-Fi, schermi", "accessibility": "Ingresso senza gradini",
        "opening_hours": "Lun-ven 9-18",
    }
    values.update(changes)
    return values


@pytest.fixture
def modena(make_city):
    return make_city(name="Modena")


def test_staff_create_a_lab_through_the_form(client, db_session, modena, make_staff):
    login(client, make_staff(modena))

    assert client.get("/citta/modena/laboratori/nuovo").status_code == 200
    response = client.post("/citta/modena/laboratori/nuovo", data=lab_form())

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/citta/modena/laboratori/laboratorio-aperto-di-modena")
    lab = db_session.scalar(sa.select(Lab).filter_by(city_id=modena.id))
    assert (lab.latitude, lab.longitude) == (Decimal("44.647100"), Decimal("10.925200"))
    assert lab.accessibility == "Ingresso senza gradini" and lab.opening_hours == "Lun-ven 9-18"
    page = client.get(response.headers["Location"])
    assert "<p>Secondo.</p>" in page.text and "Wi-Fi, schermi" in page.text


def test_two_labs_with_the_same_name_get_different_addresses(client, db_session, modena, make_staff):
    login(client, make_staff(modena))
    client.post("/citta/modena/laboratori/nuovo", data=lab_form())
    second = client.post("/citta/modena/laboratori/nuovo", data=lab_form())

    assert second.headers["Location"].endswith("/laboratorio-aperto-di-modena-2")


@pytest.mark.parametrize("changes, message", [
    ({"latitude": "91"}, "La latitudine deve essere compresa tra -90 e 90."),
    ({"longitude": "-180,5"}, "La longitudine deve essere compresa tra -180 e 180."),
    ({"latitude": "nord"}, "Scrivi un numero decimale, ad esempio 44,4949."),
    ({"latitude": "NaN"}, "Scrivi un numero decimale, ad esempio 44,4949."),
    ({"latitude": "sNaN"}, "Scrivi un numero decimale, ad esempio 44,4949."),
    ({"latitude": "inf"}, "Scrivi un numero decimale, ad esempio 44,4949."),
    ({"longitude": "-Infinity"}, "Scrivi un numero decimale, ad esempio 44,4949."),
    ({"latitude": "1e309"}, "La latitudine deve essere compresa tra -90 e 90."),
    ({"longitude": "-1e309"}, "La longitudine deve essere compresa tra -180 e 180."),
    ({"latitude": "1E+999999999999999999"}, "La latitudine deve essere compresa tra -90 e 90."),
    ({"longitude": "9" * 2000}, "La longitudine deve essere compresa tra -180 e 180."),
    ({"longitude": "999,9999999"}, "La longitudine deve essere compresa tra -180 e 180."),
    ({"longitude": ""}, "Indica sia la latitudine sia la longitudine, oppure nessuna delle due."),
    ({"name": ""}, "obbligatorio"),
])
def test_bad_lab_data_is_a_form_error(client, db_session, modena, make_staff, changes, message):
    login(client, make_staff(modena))

    response = client.post("/citta/modena/laboratori/nuovo", data=lab_form(**changes))

    assert response.status_code == 422
    assert message in response.text
    assert db_session.scalar(sa.select(Lab).filter_by(city_id=modena.id)) is None


def test_staff_edit_their_lab_and_the_form_keeps_values_on_error(client, db_session, modena, make_staff, make_lab):
    lab = make_lab(city=modena, name="Lab", slug="lab")
    login(client, make_staff(modena))

    bad = client.post("/citta/modena/laboratori/lab/modifica", data=lab_form(name="Nome nuovo", latitude="99"))
    assert bad.status_code == 422 and 'value="Nome nuovo"' in bad.text and 'value="99"' in bad.text

    good = client.post("/citta/modena/laboratori/lab/modifica",
                       data=lab_form(name="Nome nuovo", latitude="", longitude=""))
    assert good.status_code == 302
    db_session.refresh(lab)
    assert lab.name == "Nome nuovo" and lab.slug == "lab" and lab.latitude is None  # the address stays


def test_staff_of_city_a_cannot_touch_city_b_labs(client, db_session, make_city, make_staff, make_lab):
    parma = make_city(name="Parma")
    lab = make_lab(city=parma, name="Lab Parma", slug="lab-parma")
    login(client, make_staff(make_city(name="Piacenza")))

    assert client.get("/citta/parma/laboratori/lab-parma/modifica").status_code == 403
    assert client.post("/citta/parma/laboratori/lab-parma/modifica", data=lab_form()).status_code == 403
    assert client.get("/citta/parma/laboratori/nuovo").status_code == 403
    assert client.post("/citta/parma/laboratori/nuovo", data=lab_form()).status_code == 403
    db_session.refresh(lab)
    assert lab.name == "Lab Parma"


def test_participants_and_facilitators_cannot_edit_labs(client, make_user, make_lab, make_facilitator):
    lab = make_lab(slug="lab-x")
    for user in (make_user(), make_facilitator(lab)):
        login(client, user)
        assert client.get(f"/citta/{lab.city.slug}/laboratori/lab-x/modifica").status_code == 403
        assert client.post(f"/citta/{lab.city.slug}/laboratori/nuovo", data=lab_form()).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, make_lab):
    lab = make_lab(slug="lab-y")
    for path in (f"/citta/{lab.city.slug}/laboratori/lab-y/modifica", f"/citta/{lab.city.slug}/laboratori/nuovo",
                 "/gestione", f"/gestione/citta/{lab.city.slug}/ruoli"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/accedi" in response.headers["Location"], path
