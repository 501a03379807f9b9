"""The project sheet and the project list: every field, filters, drafts, no N+1."""
import re
from datetime import date

from tests.conftest import login, text_of


def bologna_project(make_city, make_project, **fields):
    city = make_city(name="Bologna", municipalities_count=55)
    values = {
        "code": "BO3.3.1.b",
        "title": "Accelerazione civica e collaborazione civica tra PA, scuola e imprese - Azioni di supporto",
        "cup": "F39G16000350007", "rup": "Miriam Pepe", "implementing_body": "Comune di Bologna",
        "start_date": date(2016, 11, 1), "end_date": date(2021, 3, 30),
        "description": "Il presente progetto sviluppa azioni di supporto.\n1) Governance\n<b>non HTML</b>",
        "programmato_cents": 41224884, "ammesso_cents": 41224884, "vincolante_cents": 41224884,
        "erogato_cents": 41224883,
    }
    values.update(fields)
    return make_project(city=city, **values)


def test_project_sheet_shows_every_field_of_the_seed_sheet(client, make_city, make_project):
    bologna_project(make_city, make_project)

    page = client.get("/progetti/BO3.3.1.b")

    assert page.status_code == 200
    text = text_of(page)
    for expected in ("Bologna", "BO3.3.1.b", "Azione 3.3.1", "Comune di Bologna", "F39G16000350007",
                     "Miriam Pepe", "01/11/2016", "30/03/2021", "Accelerazione civica e collaborazione civica",
                     "Importo programmato", "Importo ammesso a finanziamento",
                     "Importo giuridicamente vincolante", "Importo erogato",
                     "€ 412.248,84", "€ 412.248,83", "100,0 %", "99,9 %", "Documenti non disponibili"):
        assert expected in text, expected
    # Description lines become paragraphs; staff text is escaped, never HTML.
    assert "<p>1) Governance</p>" in page.text
    assert "&lt;b&gt;non HTML&lt;/b&gt;" in page.text
    # Progress bars without inline style.
    assert page.text.count("<progress") == 4 and "style=" not in page.text


def test_unknown_project_is_404(client, db_session):
    assert client.get("/progetti/NESSUNO").status_code == 404


def test_a_draft_is_404_for_the_public_and_visible_to_its_city_staff(client, make_project, make_staff, make_user):
    draft = make_project(code="BOZZA1", published=False)

    assert client.get("/progetti/BOZZA1").status_code == 404
    assert "BOZZA1" not in client.get("/progetti").text
    login(client, make_user())
    assert client.get("/progetti/BOZZA1").status_code == 404
    login(client, make_staff(draft.city))
    assert client.get("/progetti/BOZZA1").status_code == 200
    assert "BOZZA1" in client.get("/progetti").text


def test_project_list_filters_by_city_action_and_text(client, make_city, make_project):
    bologna = bologna_project(make_city, make_project)
    palermo = make_city(name="Palermo", region="Sicilia")
    make_project(city=palermo, code="PA1.1.1.a", title="Palermo digitale", cup="D71H17000000007")

    def codes(query):
        text = text_of(client.get("/progetti" + query))
        return {code for code in ("BO3.3.1.b", "PA1.1.1.a") if code in text}

    assert codes("") == {"BO3.3.1.b", "PA1.1.1.a"}
    assert codes("?citta=palermo") == {"PA1.1.1.a"}
    assert codes("?q=accelerazione") == {"BO3.3.1.b"}
    assert codes("?q=f39g1600") == {"BO3.3.1.b"}
    assert codes("?q=pa1.1") == {"PA1.1.1.a"}
    assert codes(f"?azione={bologna.action_id}") == {"BO3.3.1.b", "PA1.1.1.a"}
    assert codes(f"?asse={bologna.action.axis_id}&citta=bologna") == {"BO3.3.1.b"}
    assert codes("?q=%25") == set()  # a LIKE wildcard is searched for literally
    assert client.get("/progetti?azione=abc&asse=-1&citta=nessuna&page=x").status_code == 200
    assert client.get("/progetti?page=99").status_code == 404  # past the last page


def test_project_list_is_paginated(client, make_city, make_project):
    city = make_city()
    for n in range(25):
        make_project(city=city, code=f"P{n:03d}")

    first, second = text_of(client.get("/progetti")), text_of(client.get("/progetti?page=2"))

    assert "25 progetti trovati" in first
    assert len(re.findall(r"\bP0\d\d\b", first)) == 20
    assert len(re.findall(r"\bP0\d\d\b", second)) == 5


def test_project_list_makes_as_many_queries_with_30_projects_as_with_3(
        client, make_city, make_project, count_queries):
    def queries_for(count):
        city = make_city()
        for _ in range(count):
            make_project(city=city)
        with count_queries() as queries:
            assert client.get(f"/progetti?citta={city.slug}").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(30)
