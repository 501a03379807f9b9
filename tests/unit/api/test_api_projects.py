"""The API's projects: the published sheets with their financial data and snapshots, filtered by
CUP, city, programme and axis as the open data names them; a draft is not there."""
import datetime

import pytest

from civiclab.opendata.datasets import BY_NAME, as_json, rows
from civiclab.programmes.models import Action, Axis, FinancialSnapshot, Programme
from tests.fixtures.api import bearer


@pytest.fixture
def other_action(db_session):
    """Action 1.1.1 of axis 1 of the PON Metro programme (make_project's are TEST-PROG's 3 / 3.3.1)."""
    programme = Programme(code="2014IT16M2OP004", slug="pon-metro", name="PON Città Metropolitane",
                          period="2014-2020")
    action = Action(axis=Axis(programme=programme, number=1, name="Agenda digitale metropolitana"), code="1.1.1",
                    name="Adozione di tecnologie")
    db_session.add(action)
    db_session.commit()
    return action


def snapshot(db_session, project, day, source="manuale", **cents):
    amounts = {"programmato_cents": 100_00, "ammesso_cents": 90_00, "vincolante_cents": 80_00,
               "erogato_cents": 70_00} | cents
    row = FinancialSnapshot(project_id=project.id, as_of=day, source=source, **amounts)
    db_session.add(row)
    db_session.commit()
    return row


def codes(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["code"] for item in response.get_json()["data"]]


def test_a_project_carries_its_sheet_its_amounts_as_exact_euro_strings_and_its_snapshots(
        client, db_session, make_project):
    project = make_project(code="BO3.3.1.b", cup="F39G16000350007", programmato_cents=2**53 + 1,
                           ammesso_cents=5, vincolante_cents=5, erogato_cents=0, start_date=datetime.date(2017, 3, 1))
    snapshot(db_session, project, datetime.date(2024, 8, 31), source="OpenCoesione 2024-08-31")
    snapshot(db_session, project, datetime.date(2023, 1, 10), erogato_cents=1)

    body = client.get("/api/v1/projects/BO3.3.1.b").get_json()
    assert body["code"] == "BO3.3.1.b" and body["cup"] == "F39G16000350007"
    assert body["city_slug"] == project.city.slug and body["city"] == project.city.name
    assert (body["programme"], body["axis"], body["action"]) == ("TEST-PROG", 3, "3.3.1")
    # 2^53 + 1 cents: a JSON number in euro (a double) could not hold it; the string does
    assert body["programmato"] == "90071992547409.93" and body["ammesso"] == "0.05" and body["erogato"] == "0.00"
    assert body["start_date"] == "2017-03-01" and body["url"] == "/progetti/BO3.3.1.b"
    assert "rup" not in body  # the open data leaves the person out; so does the API
    assert [(s["as_of"], s["source"], s["erogato"]) for s in body["snapshots"]] == [
        ("2023-01-10", "manuale", "0.01"), ("2024-08-31", "OpenCoesione 2024-08-31", "70.00")]


def test_the_api_and_the_open_data_agree_on_a_project(client, db_session, make_project, other_action):
    project = make_project(cup="F39G16000350007", territory="", oc_link="https://opencoesione.gov.it/x",
                           end_date=datetime.date(2025, 12, 31))
    project.action = other_action
    db_session.commit()
    row = next(r for r in rows(BY_NAME["progetti"]) if r["code"] == project.code)
    body = client.get(f"/api/v1/projects/{project.code}").get_json()
    assert {name: as_json(value) for name, value in row.items()} == {name: body[name] for name in row}


def test_filters_pick_projects_by_cup_city_programme_and_axis(client, db_session, make_city, make_project,
                                                              other_action):
    city = make_city()
    pon = make_project(city=city, cup="F39G16000350007")
    pon.action = other_action
    db_session.commit()
    same_cup = make_project(cup="F39G16000350007")
    test_prog = make_project(city=city)

    assert codes(client.get("/api/v1/projects?cup=f39g16000350007")) == [pon.code, same_cup.code]
    assert codes(client.get(f"/api/v1/projects?city={city.slug}")) == [pon.code, test_prog.code]
    assert codes(client.get("/api/v1/projects?programme=2014IT16M2OP004")) == [pon.code]
    assert codes(client.get("/api/v1/projects?axis=3")) == [same_cup.code, test_prog.code]
    assert codes(client.get(f"/api/v1/projects?city={city.slug}&axis=1&programme=2014IT16M2OP004")) == [pon.code]
    assert codes(client.get("/api/v1/projects?programme=2014IT16M2OP004&axis=3")) == []
    assert codes(client.get("/api/v1/projects?city=nessuna")) == []
    assert codes(client.get("/api/v1/projects?city=&cup=")) == [pon.code, same_cup.code, test_prog.code]


@pytest.mark.parametrize("query, field", [
    ("axis=tre", "axis"), ("axis=-1", "axis"), ("axis=2147483648", "axis"), ("axis=99999999999999999999", "axis"),
    ("cup=F39G", "cup"), ("cup=<script>", "cup"), ("cup=F39G 1600 0350007", "cup"), ("city=" + "x" * 81, "city"), ("programme=" + "p" * 41, "programme"),
    ("limit=0", "limit"), ("limit=101", "limit"),
])
def test_a_bad_filter_is_a_422_naming_it(client, query, field):
    response = client.get(f"/api/v1/projects?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_pages_follow_next_links_keeping_the_filters(client, make_city, make_project):
    city = make_city()
    made = [make_project(city=city).code for _ in range(5)]
    make_project()  # another city's
    first = client.get(f"/api/v1/projects?city={city.slug}&limit=2").get_json()
    seen, page = [], first
    while True:
        seen += [item["code"] for item in page["data"]]
        if page["links"]["next"] is None:
            break
        assert "city=" in page["links"]["next"] and "limit=2" in page["links"]["next"]
        page = client.get(page["links"]["next"]).get_json()
    assert seen == made


def test_a_draft_project_is_not_there_for_a_visitor_as_on_its_page(client, make_project, make_user, make_token):
    draft = make_project(published=False)
    token = make_token(make_user())
    for headers in ({}, bearer(token)):
        assert client.get(f"/progetti/{draft.code}", headers=headers).status_code == 404
        response = client.get(f"/api/v1/projects/{draft.code}", headers=headers)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
        assert codes(client.get("/api/v1/projects", headers=headers)) == []


def test_the_citys_staff_read_their_draft_with_their_token_as_on_the_page(client, make_project, make_staff,
                                                                           make_token):
    draft = make_project(published=False)
    token = make_token(make_staff(draft.city))
    body = client.get(f"/api/v1/projects/{draft.code}", headers=bearer(token)).get_json()
    assert body["published"] is False
    assert codes(client.get("/api/v1/projects", headers=bearer(token))) == [draft.code]


def test_unknown_codes_and_odd_segments_are_404s(client):
    for url in ("/api/v1/projects/NESSUNO", "/api/v1/projects/BO3.3.1.b/altro", "/api/v1/projects/%E2%80%AE"):
        response = client.get(url)
        assert response.status_code == 404 and response.is_json


def test_a_nul_byte_in_the_code_is_a_400_not_a_500(client):
    assert client.get("/api/v1/projects/a%00b").status_code == 400


def test_the_list_costs_the_same_statements_for_more_projects_and_snapshots(
        client, db_session, make_city, make_project, other_action, count_queries):
    city = make_city()

    def add(n):
        for i in range(n):
            project = make_project(city=city)
            if i % 2:
                project.action = other_action
            for day in range(3):
                snapshot(db_session, project, datetime.date(2024, 1, 1 + day))

    add(1)
    db_session.expire_all()
    with count_queries() as few:
        assert len(codes(client.get("/api/v1/projects?limit=100"))) == 1
    add(6)
    db_session.expire_all()
    with count_queries() as many:
        body = client.get("/api/v1/projects?limit=100").get_json()
    assert len(body["data"]) == 7 and all(len(item["snapshots"]) == 3 for item in body["data"])
    assert len(many) == len(few) <= 2


def test_the_document_describes_projects_and_their_amounts(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/labs", "/labs/{lab_id}", "/projects", "/projects/{code}", "/outcomes",
            "/outcomes/{outcome_id}"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/projects"]["get"]["parameters"]}
    assert {"cup", "city", "programme", "axis", "limit", "cursor"} <= names
    project = spec["components"]["schemas"]["ProjectOut"]["properties"]
    assert project["erogato"]["pattern"] and project["erogato"]["x-label-it"] == "Importo erogato"
    assert "two decimals" in project["programmato"]["description"]


def test_every_api_address_under_projects_names_the_project_by_its_code(app):
    """A code may be all digits ("123"): an address taking a project by id beside /projects/<code>
    would answer for it instead (the id converter wins), so the API names a project one way only."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/projects/")]
    assert rules
    for rule in rules:
        assert rule.rule.split("/")[4] == "<code>", rule.rule


def test_a_project_whose_code_is_all_digits_is_found_by_it(client, make_project):
    make_project(code="2024")
    assert client.get("/api/v1/projects/2024").get_json()["code"] == "2024"
