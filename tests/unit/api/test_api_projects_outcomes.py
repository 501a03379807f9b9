"""The API's outcomes: published outcomes of published projects with their milestones and the
proposals they adopted, as the outcome page shows them; drafts are not there; filters by project,
city and status; the list costs the same statements however many there are."""
import datetime

import pytest

from civiclab.core.time import utcnow
from civiclab.outcomes.models import Milestone, OutcomeProposal
from civiclab.proposals.models import ProposalState
from tests.fixtures.api import bearer
from tests.unit.route_tables.common import ROLES, managers
from tests.unit.test_route_permissions import built_world, world  # noqa: F401  (the walk's world)


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["data"]]


def adopt(db_session, outcome, *proposals):
    db_session.add_all(OutcomeProposal(outcome_id=outcome.id, proposal_id=p.id) for p in proposals)
    db_session.commit()


def test_an_outcome_carries_its_milestones_and_the_adopted_proposals_its_page_lists(
        client, db_session, make_project, make_outcome, make_call, make_proposal):
    project = make_project()
    outcome = make_outcome(project, status_key="in_progress", progress=42.25, address="Via Libia 12",
                           description_html="<p>Un giardino <strong>condiviso</strong>.</p>")
    db_session.add_all([
        Milestone(outcome_id=outcome.id, title="Gara", planned_on=datetime.date(2026, 5, 1),
                  reached_on=datetime.date(2026, 5, 3)),
        Milestone(outcome_id=outcome.id, title="Progetto", planned_on=datetime.date(2026, 1, 15)),
    ])
    call = make_call(project=project, phase="closed")
    shown = make_proposal(call=call, title="Orti condivisi", state=ProposalState.ADOPTED)
    hidden = make_proposal(call=call, state=ProposalState.ADOPTED, hidden_at=utcnow())
    private = make_proposal(call=make_call(project=project, published=False), state=ProposalState.ADOPTED)
    adopt(db_session, outcome, shown, hidden, private)

    body = client.get(f"/api/v1/outcomes/{outcome.id}").get_json()
    assert (body["project"], body["status"], body["status_label"]) == (project.code, "in_progress", "In corso")
    assert body["progress"] == 42.2 and body["address"] == "Via Libia 12" and body["url"] == f"/risultati/{outcome.id}"
    assert body["description_html"] == "<p>Un giardino <strong>condiviso</strong>.</p>"
    assert [(m["title"], m["planned_on"], m["reached_on"]) for m in body["milestones"]] == [
        ("Progetto", "2026-01-15", None), ("Gara", "2026-05-01", "2026-05-03")]
    # a hidden proposal is not on the page; one whose call went private has no page to open
    assert body["adopted_proposals"] == [{"id": shown.id, "title": "Orti condivisi", "url": f"/proposte/{shown.id}"}]
    english = client.get(f"/api/v1/outcomes/{outcome.id}", headers={"Accept-Language": "en"}).get_json()
    assert english["status_label"] == "In progress"
    [listed] = client.get("/api/v1/outcomes").get_json()["data"]
    assert listed == body


def test_stored_html_is_cleaned_on_the_way_out_as_on_the_page(client, db_session, make_project, make_outcome):
    outcome = make_outcome(make_project(), description_html='<p onclick="x()">Ok</p><script>alert(1)</script>')
    db_session.add(Milestone(outcome_id=outcome.id, title="Gara", planned_on=datetime.date(2026, 5, 1),
                             description_html='<a href="javascript:alert(1)">link</a>'))
    db_session.commit()
    body = client.get(f"/api/v1/outcomes/{outcome.id}").get_json()
    assert "<script" not in body["description_html"] and "onclick" not in body["description_html"]
    assert "Ok" in body["description_html"] and "javascript:" not in body["milestones"][0]["description_html"]


def test_a_draft_outcome_and_an_outcome_of_a_draft_project_are_not_there(client, make_project, make_outcome):
    public = make_outcome(make_project())
    draft = make_outcome(make_project(), published=False)
    of_draft_project = make_outcome(make_project(published=False))
    for outcome in (draft, of_draft_project):
        assert client.get(f"/risultati/{outcome.id}").status_code == 404  # as on the page
        response = client.get(f"/api/v1/outcomes/{outcome.id}")
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert ids(client.get("/api/v1/outcomes")) == [public.id]


def test_a_parent_shows_only_when_it_is_public(client, make_project, make_outcome):
    project = make_project()
    parent, draft_parent = make_outcome(project), make_outcome(project, published=False)
    child = make_outcome(project, parent_id=parent.id)
    orphan = make_outcome(project, parent_id=draft_parent.id)
    assert client.get(f"/api/v1/outcomes/{child.id}").get_json()["parent"] == parent.id
    assert client.get(f"/api/v1/outcomes/{orphan.id}").get_json()["parent"] is None


def test_filters_pick_outcomes_by_project_city_and_status(client, make_city, make_project, make_outcome):
    city = make_city()
    first, second, elsewhere = make_project(city=city), make_project(city=city), make_project()
    done = make_outcome(first, status_key="completed")
    planned = make_outcome(second, status_key="planned")
    other = make_outcome(elsewhere, status_key="completed")
    assert ids(client.get(f"/api/v1/outcomes?project={first.code}")) == [done.id]
    assert ids(client.get(f"/api/v1/outcomes?city={city.slug}")) == [done.id, planned.id]
    assert ids(client.get("/api/v1/outcomes?status=completed")) == [done.id, other.id]
    assert ids(client.get(f"/api/v1/outcomes?city={city.slug}&status=completed")) == [done.id]
    assert ids(client.get("/api/v1/outcomes?status=nessuno&project=NESSUNO")) == []


@pytest.mark.parametrize("query, field", [
    ("project=" + "P" * 41, "project"), ("city=" + "c" * 81, "city"), ("status=" + "s" * 41, "status"),
    ("limit=abc", "limit"),
])
def test_a_bad_filter_is_a_422_naming_it(client, query, field):
    response = client.get(f"/api/v1/outcomes?{query}")
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("outcome_id", ["2147483648", "99999999999999999999", "0", "-1", "uno"])
def test_an_id_out_of_range_is_a_404(client, outcome_id):
    response = client.get(f"/api/v1/outcomes/{outcome_id}")
    assert response.status_code == 404 and response.is_json


def test_pages_follow_next_links(client, make_project, make_outcome):
    project = make_project()
    made = [make_outcome(project).id for _ in range(5)]
    page = client.get(f"/api/v1/outcomes?project={project.code}&limit=2").get_json()
    seen = []
    while True:
        seen += [item["id"] for item in page["data"]]
        if page["links"]["next"] is None:
            break
        assert f"project={project.code}" in page["links"]["next"]
        page = client.get(page["links"]["next"]).get_json()
    assert seen == made


def test_the_list_costs_the_same_statements_for_more_outcomes_milestones_and_proposals(
        client, db_session, make_project, make_outcome, make_call, make_proposal, count_queries):
    project = make_project()
    call = make_call(project=project, phase="closed")

    def add(n):
        for _ in range(n):
            outcome = make_outcome(project, status_key="in_progress")
            db_session.add_all(Milestone(outcome_id=outcome.id, title=f"Tappa {day}",
                                         planned_on=datetime.date(2026, 1, day)) for day in (1, 2))
            adopt(db_session, outcome, make_proposal(call=call, state=ProposalState.ADOPTED))

    add(1)
    db_session.expire_all()
    with count_queries() as few:
        assert len(ids(client.get("/api/v1/outcomes?limit=100"))) == 1
    add(6)
    db_session.expire_all()
    with count_queries() as many:
        body = client.get("/api/v1/outcomes?limit=100").get_json()
    assert len(body["data"]) == 7
    assert all(len(o["milestones"]) == 2 and len(o["adopted_proposals"]) == 1 for o in body["data"])
    # outcomes; their milestones; the proposals they adopted with their calls; the calls' themes
    assert len(many) == len(few) <= 4


DRAFT = managers(200, refused=404, anonymous=404)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_exists_only_for_who_may_edit_it_as_on_the_pages(client, db_session, make_token, make_outcome,
                                                                  world, role):  # noqa: F811
    user = world["users"][role]
    headers = bearer(make_token(user)) if user is not None else {}
    draft_outcome = make_outcome(world["project"], published=False)
    draft_project = world["draft"]
    assert client.get(f"/api/v1/projects/{draft_project.code}", headers=headers).status_code == DRAFT[role]
    assert client.get(f"/api/v1/outcomes/{draft_outcome.id}", headers=headers).status_code == DRAFT[role]
    listed = ids(client.get(f"/api/v1/outcomes?project={world['project'].code}", headers=headers))
    assert (draft_outcome.id in listed) == (DRAFT[role] == 200)
    codes = [p["code"] for p in client.get("/api/v1/projects?limit=100", headers=headers).get_json()["data"]]
    assert (draft_project.code in codes) == (DRAFT[role] == 200)
