"""Municipality staff publish and edit their city's projects; nobody else can."""
from datetime import date

import pytest
import sqlalchemy as sa

from civiclab.programmes.models import Project
from tests.conftest import login


@pytest.fixture
def city_and_staff(make_city, make_staff, make_project):
    city = make_city(name="Bologna")
    make_project(city=make_city(), code="ESISTENTE", cup="F39G16000350007")  # creates the action too
    return city, make_staff(city)


def action_id(db_session):
    return db_session.scalar(sa.select(Project.action_id).limit(1))


def form(db_session, **changes):
    values = {
        "code": "BO3.3.1.c", "title": "Accelerazione civica", "action_id": str(action_id(db_session)),
        "cup": "f39g16000360005", "rup": "Miriam Pepe", "implementing_body": "Comune di Bologna",
        "start_date": "2016-11-01", "end_date": "2021-03-30", "summary": "Sintesi",
        "description": "Descrizione", "programmato": "412.248,84", "ammesso": "412.248,84",
        "vincolante": "412.248,84", "erogato": "412.248,83", "published": "y",
    }
    values.update(changes)
    return values


def test_staff_create_a_project_through_the_form_with_amounts_in_cents(client, db_session, city_and_staff):
    city, staff = city_and_staff
    login(client, staff)

    assert client.get("/citta/bologna/progetti/nuovo").status_code == 200
    response = client.post("/citta/bologna/progetti/nuovo", data=form(db_session))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/progetti/BO3.3.1.c")
    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.c"))
    assert project.city_id == city.id and project.created_by_id == staff.id
    assert project.cup == "F39G16000360005"  # upper-cased
    assert (project.programmato_cents, project.ammesso_cents, project.vincolante_cents,
            project.erogato_cents) == (41224884, 41224884, 41224884, 41224883)
    assert (project.start_date, project.end_date) == (date(2016, 11, 1), date(2021, 3, 30))


@pytest.mark.parametrize("cup", ["F39G1600035000", "F39G160003500077", "139G16000350007", "F39G1600035000!"])
def test_a_bad_cup_is_a_form_error(client, db_session, city_and_staff, cup):
    login(client, city_and_staff[1])

    response = client.post("/citta/bologna/progetti/nuovo", data=form(db_session, cup=cup))

    assert response.status_code == 422
    assert "Il CUP non è valido" in response.text
    assert db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.c")) is None


@pytest.mark.parametrize("field, amounts, message", [
    ("ammesso", ("100,00", "100,01", "0", "0"), "non può superare l&#39;importo programmato"),
    ("vincolante", ("100,00", "90,00", "95,00", "0"), "non può superare l&#39;importo ammesso"),
    ("erogato", ("100,00", "90,00", "80,00", "80,01"), "non può superare l&#39;importo giuridicamente"),
])
def test_amounts_out_of_order_are_a_form_error(client, db_session, city_and_staff, field, amounts, message):
    login(client, city_and_staff[1])
    names = ("programmato", "ammesso", "vincolante", "erogato")

    response = client.post("/citta/bologna/progetti/nuovo", data=form(db_session, **dict(zip(names, amounts))))

    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text


def test_an_amount_that_is_not_euro_is_a_form_error(client, db_session, city_and_staff):
    login(client, city_and_staff[1])

    response = client.post("/citta/bologna/progetti/nuovo", data=form(db_session, programmato="dodici euro"))

    assert response.status_code == 422
    assert "Importo non valido: scrivilo come 412.248,84." in response.text


def test_end_before_start_is_a_form_error(client, db_session, city_and_staff):
    login(client, city_and_staff[1])

    response = client.post("/citta/bologna/progetti/nuovo", data=form(db_session, end_date="2015-01-01"))

    assert response.status_code == 422
    assert "La data di fine non può precedere la data di inizio." in response.text


def test_duplicate_code_is_a_form_error_not_a_500(client, db_session, city_and_staff):
    login(client, city_and_staff[1])

    same_code = client.post("/citta/bologna/progetti/nuovo", data=form(db_session, code="esistente"))

    assert same_code.status_code == 422 and "Esiste già un progetto con il codice" in same_code.text


def test_a_cup_may_repeat_and_the_sheet_links_the_others(client, db_session, city_and_staff):
    """The same works financed under two programmes are two projects with one CUP."""
    login(client, city_and_staff[1])

    same_cup = client.post("/citta/bologna/progetti/nuovo", data=form(db_session, cup="F39G16000350007"))

    assert same_cup.status_code == 302
    sheet = client.get("/progetti/BO3.3.1.c")
    assert "Stesso CUP:" in sheet.text and "/progetti/ESISTENTE" in sheet.text


def test_staff_edit_their_project_and_the_form_keeps_values_on_error(
        client, db_session, make_project, city_and_staff):
    city, staff = city_and_staff
    project = make_project(city=city, code="BO1", title="Titolo vecchio")
    login(client, staff)

    page = client.get("/progetti/BO1/modifica")
    assert page.status_code == 200 and 'value="412248,84"' in page.text

    bad = client.post("/progetti/BO1/modifica", data=form(db_session, code="BO1", title="Titolo nuovo",
                                                         ammesso="999.999,00"))
    assert bad.status_code == 422
    assert 'value="Titolo nuovo"' in bad.text and 'value="999.999,00"' in bad.text
    db_session.refresh(project)
    assert project.title == "Titolo vecchio"

    good = client.post("/progetti/BO1/modifica", data=form(db_session, code="BO1", title="Titolo nuovo",
                                                          cup=""))
    assert good.status_code == 302
    db_session.refresh(project)
    assert project.title == "Titolo nuovo" and project.cup is None


def test_staff_of_city_a_cannot_touch_city_b_projects(client, db_session, make_city, make_staff, make_project):
    city_a, city_b = make_city(name="Modena"), make_city(name="Parma")
    project_b = make_project(city=city_b, code="PR1")
    login(client, make_staff(city_a))

    assert client.get("/progetti/PR1/modifica").status_code == 403
    assert client.post("/progetti/PR1/modifica", data=form(db_session, code="PR1")).status_code == 403
    assert client.get("/citta/parma/progetti/nuovo").status_code == 403
    assert client.post("/citta/parma/progetti/nuovo", data=form(db_session)).status_code == 403
    db_session.refresh(project_b)
    assert project_b.title == "Accelerazione civica"


def test_anonymous_visitors_are_sent_to_login(client, make_project):
    project = make_project(code="ANON1")

    for path in ("/progetti/ANON1/modifica", f"/citta/{project.city.slug}/progetti/nuovo"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/accedi" in response.headers["Location"]


def test_participants_and_facilitators_cannot_edit_projects(client, db_session, make_user, make_lab,
                                                            make_facilitator, make_project):
    lab = make_lab()
    make_project(city=lab.city, code="FAC1")
    for user in (make_user(), make_facilitator(lab)):
        login(client, user)
        assert client.get("/progetti/FAC1/modifica").status_code == 403
        assert client.post("/progetti/FAC1/modifica", data=form(db_session, code="FAC1")).status_code == 403
        assert client.get(f"/citta/{lab.city.slug}/progetti/nuovo").status_code == 403


def test_administrators_edit_any_city_project(client, db_session, make_user, make_project):
    make_project(code="ADM1")
    login(client, make_user(is_admin=True))

    response = client.post("/progetti/ADM1/modifica", data=form(db_session, code="ADM1", cup=""))

    assert response.status_code == 302


def test_a_project_form_without_csrf_token_is_refused(app, client, db_session, city_and_staff, monkeypatch):
    login(client, city_and_staff[1])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    response = client.post("/citta/bologna/progetti/nuovo", data=form(db_session))

    assert response.status_code == 400
    assert db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.c")) is None

# ---- rate limit on writes (limited_client: an app with the limiter on) ------------------------

def test_project_writes_are_rate_limited_but_reading_the_form_is_not(limited_client, db_session, city_and_staff):
    login(limited_client, city_and_staff[1])
    bad = form(db_session, cup="sbagliato")

    statuses = [limited_client.post("/citta/bologna/progetti/nuovo", data=bad).status_code for _ in range(3)]

    assert statuses == [422, 422, 429]
    assert all(limited_client.get("/citta/bologna/progetti/nuovo").status_code == 200 for _ in range(3))
