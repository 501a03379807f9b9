"""Administrators add and edit programmes and their axes from the administration pages."""
import re

import pytest
import sqlalchemy as sa

from civiclab.programmes.models import Axis, Programme
from tests.conftest import login
from tests.fixtures.audit_records import recorded_audits


def programme_form(**changes):
    values = {"code": "2021IT16FFPR003", "slug": "", "name": "PN Metro Plus e città medie Sud",
              "period": "2021-2027", "description": "Il programma nazionale delle città metropolitane."}
    values.update(changes)
    return values


@pytest.fixture
def admin(make_user):
    return make_user(is_admin=True)


@pytest.fixture
def programme(db_session):
    programme = Programme(code="2014IT16M2OP004", slug="pon-metro", name="PON Metro", period="2014-2020")
    db_session.add_all([programme, Axis(programme=programme, number=1, name="Agenda digitale metropolitana")])
    db_session.commit()
    return programme


def test_an_administrator_adds_a_programme_and_its_axes(client, db_session, admin):
    login(client, admin)
    assert client.get("/gestione/programmi/nuovo").status_code == 200

    with recorded_audits() as audits:
        response = client.post("/gestione/programmi/nuovo", data=programme_form())
        programme = db_session.scalar(sa.select(Programme).filter_by(code="2021IT16FFPR003"))
        assert response.headers["Location"].endswith(f"/gestione/programmi/{programme.id}")
        axis = client.post(f"/gestione/programmi/{programme.id}/assi/nuovo",
                           data={"number": "1", "name": "Agenda digitale e\u200b innovazione urbana"})

    assert response.status_code == axis.status_code == 302
    assert (programme.slug, programme.period) == ("pn-metro-plus-e-citta-medie-sud", "2021-2027")
    assert [(a.number, a.name) for a in programme.axes] == [(1, "Agenda digitale e innovazione urbana")]
    assert [action for action, _ in audits] == ["programme.created", "axis.created"]
    assert audits[1][1]["details"]["programme_id"] == programme.id
    page = client.get(f"/gestione/programmi/{programme.id}")
    assert "Agenda digitale e innovazione urbana" in page.text
    assert "PN Metro Plus" in client.get("/gestione/programmi").text


def test_an_administrator_edits_a_programme_and_an_axis(client, db_session, admin, programme):
    axis = programme.axes[0]
    login(client, admin)
    assert 'value="2014IT16M2OP004"' in client.get(f"/gestione/programmi/{programme.id}/modifica").text
    assert 'value="Agenda digitale metropolitana"' in client.get(f"/gestione/assi/{axis.id}/modifica").text

    with recorded_audits() as audits:
        edited = client.post(f"/gestione/programmi/{programme.id}/modifica",
                             data=programme_form(code="2014IT16M2OP004", slug="pon-metro", name="PON Città Metropolitane",
                                                 period="2014-2020"))
        axis_edited = client.post(f"/gestione/assi/{axis.id}/modifica",
                                  data={"number": "2", "name": "Sostenibilità dei servizi pubblici"})

    assert edited.status_code == axis_edited.status_code == 302
    db_session.refresh(programme)
    db_session.refresh(axis)
    assert programme.name == "PON Città Metropolitane"
    assert (axis.number, axis.name) == (2, "Sostenibilità dei servizi pubblici")
    assert [action for action, _ in audits] == ["programme.edited", "axis.edited"]
    assert audits[0][1]["details"]["changed"]["name"] == ["PON Metro", "PON Città Metropolitane"]
    assert audits[1][1]["details"]["changed"]["number"] == [1, 2]


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Questo campo è obbligatorio"),
    ({"name": "\u200b\u200d\u202e"}, "Scrivi un nome con lettere o cifre visibili."),
    ({"name": "x" * 201}, "200"),
    ({"code": "con spazi"}, "Il codice può contenere solo"),
    ({"code": "x" * 41}, "40"),
    ({"code": "2014it16m2op004"}, "Esiste già un programma con il codice"),
    ({"slug": "pon-metro"}, "Esiste già un programma con l&#39;indirizzo breve"),
    ({"slug": "Non Valido!"}, "L&#39;indirizzo breve può contenere solo"),
    ({"period": "2020-2014"}, "Scrivi il periodo come due anni"),
    ({"period": "sempre"}, "Scrivi il periodo come due anni"),
    ({"period": ""}, "Questo campo è obbligatorio"),
])
def test_a_bad_programme_form_is_refused(client, db_session, admin, programme, changes, message):
    login(client, admin)

    response = client.post("/gestione/programmi/nuovo", data=programme_form(**changes))

    assert response.status_code == 422
    assert message in response.text
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 1


@pytest.mark.parametrize(("form", "message"), [
    ({"number": "1", "name": "Doppione"}, "Il programma ha già un asse 1."),
    ({"number": "0", "name": "Zero"}, "Il numero deve essere compreso tra 1 e 99."),
    ({"number": "100", "name": "Cento"}, "Il numero deve essere compreso tra 1 e 99."),
    ({"number": "uno", "name": "Lettere"}, "<a href=\"#number\">Numero dell'asse</a>"),
    ({"number": "", "name": "Vuoto"}, "<a href=\"#number\">Numero dell'asse</a>"),
    ({"number": "2", "name": ""}, "Questo campo è obbligatorio"),
    ({"number": "2", "name": "x" * 201}, "200"),
])
def test_a_bad_axis_is_refused(client, db_session, admin, programme, form, message):
    login(client, admin)

    response = client.post(f"/gestione/programmi/{programme.id}/assi/nuovo", data=form)

    assert response.status_code == 422
    assert message in response.text
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Axis)) == 1


def test_an_axis_number_may_repeat_across_programmes_but_not_within_one(client, db_session, admin, programme):
    other = Programme(code="ALTRO", slug="altro", name="Altro", period="2021-2027")
    db_session.add_all([other, Axis(programme=other, number=2, name="Secondo")])
    db_session.commit()
    login(client, admin)

    elsewhere = client.post(f"/gestione/programmi/{programme.id}/assi/nuovo", data={"number": "2", "name": "Due"})
    moved = client.post(f"/gestione/assi/{other.axes[0].id}/modifica", data={"number": "2", "name": "Secondo bis"})

    assert elsewhere.status_code == moved.status_code == 302
    taken = client.post(f"/gestione/assi/{programme.axes[0].id}/modifica", data={"number": "2", "name": "X"})
    assert taken.status_code == 422 and "Il programma ha già un asse 2." in taken.text


def test_the_same_programme_sent_twice_is_made_once(client, db_session, admin):
    login(client, admin)
    key = re.search(r'name="form_key" value="([^"]+)"', client.get("/gestione/programmi/nuovo").text).group(1)

    first = client.post("/gestione/programmi/nuovo", data=programme_form(form_key=key))
    again = client.post("/gestione/programmi/nuovo", data=programme_form(form_key=key))

    assert first.status_code == again.status_code == 302
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 1


@pytest.mark.parametrize("who", ["participant", "facilitator", "staff"])
def test_only_administrators_manage_programmes(client, db_session, programme, who, make_user, make_city, make_lab,
                                               make_staff, make_facilitator):
    city = make_city(name="Cesena")
    user = {"participant": make_user, "facilitator": lambda: make_facilitator(make_lab(city=city)),
            "staff": lambda: make_staff(city)}[who]()
    axis = programme.axes[0]
    login(client, user)

    with recorded_audits() as audits:
        for url in ("/gestione/programmi", "/gestione/programmi/nuovo", f"/gestione/programmi/{programme.id}",
                    f"/gestione/programmi/{programme.id}/modifica", f"/gestione/programmi/{programme.id}/assi/nuovo",
                    f"/gestione/assi/{axis.id}/modifica"):
            assert client.get(url).status_code == 403, url
        assert client.post("/gestione/programmi/nuovo", data=programme_form()).status_code == 403
        assert client.post(f"/gestione/programmi/{programme.id}/modifica",
                           data=programme_form(code="X")).status_code == 403
        assert client.post(f"/gestione/programmi/{programme.id}/assi/nuovo",
                           data={"number": "5", "name": "Intruso"}).status_code == 403
        assert client.post(f"/gestione/assi/{axis.id}/modifica", data={"number": "9", "name": "Preso"}).status_code == 403

    assert audits == []
    db_session.refresh(programme)
    assert programme.code == "2014IT16M2OP004" and [a.number for a in programme.axes] == [1]


def test_unknown_programmes_and_axes_are_not_found(client, admin):
    login(client, admin)
    assert client.get("/gestione/programmi/999999").status_code == 404
    assert client.get("/gestione/assi/999999/modifica").status_code == 404
    assert client.get("/gestione/programmi/99999999999999").status_code == 404  # past any id: no such address


def test_the_programme_list_takes_the_same_queries_for_more_programmes(client, db_session, admin, count_queries):
    def add(n):
        for i in range(n):
            programme = Programme(code=f"P{n}{i}", slug=f"p-{n}-{i}", name=f"Programma {n}.{i}", period="2021-2027")
            db_session.add_all([programme, Axis(programme=programme, number=1, name="Uno"),
                                Axis(programme=programme, number=2, name="Due")])
        db_session.commit()

    login(client, admin)
    add(1)
    client.get("/gestione/programmi")
    with count_queries() as few:
        assert client.get("/gestione/programmi").status_code == 200
    add(5)
    with count_queries() as more:
        assert client.get("/gestione/programmi").status_code == 200
    assert len(more) == len(few)


def test_a_programme_s_page_takes_the_same_queries_for_more_cities(client, admin, programme, make_city,
                                                                   count_queries):
    login(client, admin)
    make_city()
    client.get(f"/gestione/programmi/{programme.id}")
    with count_queries() as few:
        assert client.get(f"/gestione/programmi/{programme.id}").status_code == 200
    for _ in range(5):
        make_city()
    with count_queries() as more:
        assert client.get(f"/gestione/programmi/{programme.id}").status_code == 200
    assert len(more) == len(few)
