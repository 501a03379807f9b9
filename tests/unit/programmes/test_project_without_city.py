"""A project of no single municipality (OpenCoesione's "TUTTI I COMUNI"): every page that shows
it says its territory, people follow and comment it, and only administrators edit it."""
import pytest

from tests.conftest import login, text_of


@pytest.fixture
def regional(db_session, make_project):
    project = make_project(code="OC-13LA23012PA0586P0001", title="Piano di rinnovo della flotta Cotral",
                           cup="G89J20001550002")
    project.city_id = None
    project.territory = "Tutti i comuni – Lazio"
    db_session.commit()
    return project


def test_the_pages_show_the_territory(client, regional, admin, make_project):
    other = make_project(code="BO1", title="Altro")
    sheet = text_of(client.get(f"/progetti/{regional.code}"))
    assert "Territorio" in sheet and "Tutti i comuni – Lazio" in sheet
    assert "Tutti i comuni – Lazio" in text_of(client.get("/progetti"))
    assert "Tutti i comuni – Lazio" in text_of(client.get("/progetti?citta=-"))
    assert "Piano di rinnovo" not in text_of(client.get(f"/progetti?citta={other.city.slug}"))
    assert "Tutti i comuni – Lazio" in text_of(client.get("/cerca?q=flotta"))
    assert client.get("/").status_code == 200
    login(client, admin)
    assert "Tutti i comuni – Lazio" in text_of(client.get("/gestione"))


def test_only_administrators_edit_it(client, regional, make_city, make_staff, admin):
    login(client, make_staff(make_city()))
    assert client.get(f"/progetti/{regional.code}/modifica").status_code == 403
    assert "Modifica il progetto" not in text_of(client.get(f"/progetti/{regional.code}"))
    login(client, admin)
    assert client.get(f"/progetti/{regional.code}/modifica").status_code == 200
    sheet = text_of(client.get(f"/progetti/{regional.code}"))
    assert "Modifica il progetto" in sheet and "Nuova call su questo progetto" not in sheet


def test_people_follow_and_comment_it(client, db_session, regional, make_user):
    login(client, make_user())
    assert client.post(f"/segui/progetto/{regional.id}").status_code == 302
    response = client.post("/commenti", data={"project_id": regional.id, "body": "Quando arrivano i bus?"})
    assert response.status_code == 302
    assert "Quando arrivano i bus?" in text_of(client.get(f"/progetti/{regional.code}"))


def test_flagged_amounts_stay_as_published_when_the_sheet_is_saved(client, db_session, regional, admin):
    regional.amounts_inconsistent = True
    regional.erogato_cents = 41224984  # paid more than committed (412.248,84)
    db_session.commit()
    assert "Importi incoerenti" in text_of(client.get(f"/progetti/{regional.code}"))
    login(client, admin)
    values = {
        "code": regional.code, "title": "Piano di rinnovo", "action_id": str(regional.action_id),
        "cup": regional.cup, "programmato": "412.248,84", "ammesso": "412.248,84",
        "vincolante": "412.248,84", "erogato": "412.249,84", "published": "y",
    }
    url = f"/progetti/{regional.code}/modifica"
    assert client.post(url, data=values).status_code == 302
    db_session.refresh(regional)
    assert regional.title == "Piano di rinnovo" and regional.amounts_inconsistent
    assert regional.erogato_cents == 41224984 and regional.city_id is None

    assert client.post(url, data=dict(values, erogato="500.000,00")).status_code == 422  # a new break

    assert client.post(url, data=dict(values, erogato="412.000,00")).status_code == 302  # back in order
    db_session.refresh(regional)
    assert not regional.amounts_inconsistent and regional.erogato_cents == 41200000
