"""Administrators add and edit the network's cities from the administration pages; nobody else can."""
import re

import pytest
import sqlalchemy as sa

from civiclab.places.models import City
from tests.conftest import login
from tests.fixtures.audit_records import recorded_audits


def city_form(**changes):
    values = {"name": "Reggio nell'Emilia", "slug": "", "region": "Emilia-Romagna",
              "municipalities_count": "", "population": "172000", "description": "Primo.\nSecondo."}
    values.update(changes)
    return values


@pytest.fixture
def admin(make_user):
    return make_user(is_admin=True, display_name="Amministratrice")


def test_an_administrator_adds_a_city_through_the_form(client, db_session, admin):
    login(client, admin)
    assert client.get("/gestione/citta/nuova").status_code == 200

    with recorded_audits() as audits:
        response = client.post("/gestione/citta/nuova", data=city_form())

    assert response.status_code == 302 and response.headers["Location"].endswith("/gestione/citta")
    city = db_session.scalar(sa.select(City).filter_by(slug="reggio-nell-emilia"))
    assert (city.name, city.region, city.population, city.municipalities_count) == (
        "Reggio nell'Emilia", "Emilia-Romagna", 172000, None)
    assert [action for action, _ in audits] == ["city.created"]
    assert audits[0][1]["city_id"] == city.id and audits[0][1]["actor_id"] == admin.id
    listing = client.get("/gestione/citta")
    assert "Reggio nell&#39;Emilia" in listing.text and "reggio-nell-emilia" in listing.text
    assert client.get("/citta/reggio-nell-emilia").status_code == 200


def test_an_administrator_edits_a_city_and_its_slug(client, db_session, admin, make_city):
    city = make_city(name="Rimini")
    login(client, admin)
    assert 'value="Rimini"' in client.get("/gestione/citta/rimini/modifica").text

    with recorded_audits() as audits:
        response = client.post("/gestione/citta/rimini/modifica",
                               data=city_form(name="Rimini e costa", slug="rimini-costa", population="150000"))

    assert response.status_code == 302
    db_session.refresh(city)
    assert (city.name, city.slug, city.population) == ("Rimini e costa", "rimini-costa", 150000)
    assert audits[0][0] == "city.edited"
    assert audits[0][1]["details"]["changed"]["slug"] == ["rimini", "rimini-costa"]
    assert client.get("/citta/rimini-costa").status_code == 200


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Questo campo è obbligatorio"),
    ({"name": "x" * 121}, "120"),
    ({"name": "\u200b\u202e\u2066"}, "Scrivi un nome con lettere o cifre visibili."),
    ({"region": ""}, "Questo campo è obbligatorio"),
    ({"slug": "Con spazi/e barre"}, "L&#39;indirizzo breve può contenere solo"),
    ({"slug": "x" * 81}, "80"),
    ({"slug": "nuova"}, "è riservato"),
    ({"population": "-3"}, "Popolazione"),
    ({"population": "tanti"}, "Popolazione"),
    ({"municipalities_count": "0"}, "Comuni"),
])
def test_a_bad_city_form_is_refused_and_nothing_is_saved(client, db_session, admin, changes, message):
    login(client, admin)
    before = db_session.scalar(sa.select(sa.func.count()).select_from(City))

    response = client.post("/gestione/citta/nuova", data=city_form(**changes))

    assert response.status_code == 422
    assert message in response.text
    assert db_session.scalar(sa.select(sa.func.count()).select_from(City)) == before


def test_a_slug_another_city_has_is_refused_whatever_its_case(client, admin, make_city):
    make_city(name="Parma")
    other = make_city(name="Piacenza")
    login(client, admin)

    created = client.post("/gestione/citta/nuova", data=city_form(name="Parma bis", slug="PARMA"))
    edited = client.post(f"/gestione/citta/{other.slug}/modifica", data=city_form(name="Piacenza", slug="parma"))

    assert created.status_code == edited.status_code == 422
    assert "Esiste già una città con l&#39;indirizzo breve «parma»." in created.text
    assert "Esiste già una città" in edited.text


def test_invisible_and_bidi_characters_are_taken_out_of_a_city_name(client, db_session, admin):
    login(client, admin)

    response = client.post("/gestione/citta/nuova",
                           data=city_form(name="Fer\u200brara\u202e", slug="ferrara", region="Emilia\u2066-Romagna"))

    assert response.status_code == 302
    city = db_session.scalar(sa.select(City).filter_by(slug="ferrara"))
    assert (city.name, city.region) == ("Ferrara", "Emilia-Romagna")


def form_key_in(response):
    return re.search(r'name="form_key" value="([^"]+)"', response.text).group(1)


def test_the_same_city_sent_twice_is_made_once(client, db_session, admin):
    """Back and "Salva" again (the same key), or the form drawn again and sent with the same text."""
    login(client, admin)
    key = form_key_in(client.get("/gestione/citta/nuova"))

    first = client.post("/gestione/citta/nuova", data=city_form(name="Faenza", slug="faenza", form_key=key))
    again = client.post("/gestione/citta/nuova", data=city_form(name="Faenza", slug="faenza", form_key=key))
    redrawn = client.post("/gestione/citta/nuova", data=city_form(
        name="Faenza", slug="faenza", form_key=form_key_in(client.get("/gestione/citta/nuova"))))

    assert first.status_code == again.status_code == redrawn.status_code == 302
    assert "Già inviato" in client.get(redrawn.headers["Location"]).text
    assert db_session.scalar(sa.select(sa.func.count()).select_from(City).filter_by(slug="faenza")) == 1


@pytest.mark.parametrize("who", ["participant", "facilitator", "staff"])
def test_only_administrators_manage_cities(client, db_session, who, make_user, make_city, make_lab, make_staff,
                                            make_facilitator):
    city = make_city(name="Cesena")
    user = {"participant": make_user, "facilitator": lambda: make_facilitator(make_lab(city=city)),
            "staff": lambda: make_staff(city)}[who]()
    login(client, user)

    assert client.get("/gestione/citta").status_code == 403
    assert client.get("/gestione/citta/nuova").status_code == 403
    assert client.post("/gestione/citta/nuova", data=city_form(name="Altra", slug="altra")).status_code == 403
    assert client.get("/gestione/citta/cesena/modifica").status_code == 403
    assert client.post("/gestione/citta/cesena/modifica", data=city_form(name="Presa")).status_code == 403
    db_session.refresh(city)
    assert city.name == "Cesena"
    assert db_session.scalar(sa.select(City).filter_by(slug="altra")) is None


def test_an_unknown_city_is_not_found(client, admin):
    login(client, admin)
    assert client.get("/gestione/citta/nessuna/modifica").status_code == 404


def test_the_city_list_takes_the_same_queries_for_more_cities(client, admin, make_city, make_lab, count_queries):
    login(client, admin)
    make_lab(city=make_city())
    client.get("/gestione/citta")  # warm: the session row, the menu

    with count_queries() as few:
        assert client.get("/gestione/citta").status_code == 200
    for _ in range(5):
        make_lab(city=make_city())
    with count_queries() as more:
        assert client.get("/gestione/citta").status_code == 200

    assert len(more) == len(few)


def test_the_city_list_is_paged(client, app, admin, make_city, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    for name in ("Aosta", "Bari", "Cagliari"):
        make_city(name=name)
    login(client, admin)

    first, second = client.get("/gestione/citta"), client.get("/gestione/citta?page=2")

    assert "Aosta" in first.text and "Cagliari" not in first.text
    assert "Cagliari" in second.text


def test_with_csrf_on_a_city_without_the_token_is_not_made(app, client, db_session, admin, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, admin)

    response = client.post("/gestione/citta/nuova", data=city_form(name="Imola", slug="imola"))

    assert response.status_code == 400
    assert db_session.scalar(sa.select(City).filter_by(slug="imola")) is None
