"""Calls and proposals read through the API, as their public pages show them: filters, keyset
pages, what is not public (404), counts, and a constant number of statements per page."""
import pytest

from civiclab.proposals.models import ProposalState
from tests.fixtures.api import bearer


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["data"]]


# ---- calls ---------------------------------------------------------------------------------

def test_the_call_list_shows_published_calls_the_last_opened_first(client, make_call, make_project):
    project = make_project()
    older = make_call(project=project, phase="closed")
    newer = make_call(project=project, phase="proposals")
    hidden = make_call(project=project, published=False)

    listed = ids(client.get("/api/v1/calls"))
    assert listed.index(newer.id) < listed.index(older.id) and hidden.id not in listed


def test_the_call_list_filters_by_city_project_phase_and_openness(client, make_call, make_project):
    project, elsewhere = make_project(), make_project()
    taking_proposals = make_call(project=project, phase="proposals")
    supports = make_call(project=project, phase="supports")
    in_review = make_call(project=project, phase="review")
    closed = make_call(project=project, phase="closed")
    other = make_call(project=elsewhere, phase="proposals")

    assert set(ids(client.get(f"/api/v1/calls?city={project.city.slug}"))) == {
        taking_proposals.id, supports.id, in_review.id, closed.id}
    assert ids(client.get(f"/api/v1/calls?project={elsewhere.code}")) == [other.id]
    assert ids(client.get(f"/api/v1/calls?project={project.code}&phase=review")) == [in_review.id]
    assert set(ids(client.get(f"/api/v1/calls?project={project.code}&open=true"))) == {
        taking_proposals.id, supports.id}
    assert set(ids(client.get(f"/api/v1/calls?project={project.code}&open=false"))) == {in_review.id, closed.id}
    assert ids(client.get("/api/v1/calls?city=nessuna")) == []


def test_a_bad_phase_filter_is_a_422_naming_it(client):
    response = client.get("/api/v1/calls?phase=aperta")
    assert response.status_code == 422 and "phase" in response.get_json()["error"]["fields"]


def test_a_call_comes_with_its_themes_phase_and_counts(client, make_call, make_proposal):
    call = make_call(phase="supports")
    make_proposal(call=call)
    make_proposal(call=call, state=ProposalState.SUBMITTED)

    body = client.get(f"/api/v1/calls/{call.id}").get_json()
    assert [theme["name"] for theme in body["themes"]] == ["Verde", "Mobilità"]
    assert body["phase"] == "supports" and body["phase_label"] == "Sostegni" and body["open"] is True
    assert body["public_proposals_count"] == 1 and body["project"] == call.project.code
    assert body["url"] == f"/call/{call.id}"


def test_a_call_being_prepared_is_a_404_but_its_citys_staff_read_it(client, make_call, make_staff, make_token):
    call = make_call(published=False)
    assert client.get(f"/api/v1/calls/{call.id}").status_code == 404
    staff = make_staff(call.city)
    assert client.get(f"/api/v1/calls/{call.id}", headers=bearer(make_token(staff, scopes="read"))).status_code == 200


def test_the_call_list_pages_with_next_links(client, make_call, make_project):
    project = make_project()
    made = [make_call(project=project) for _ in range(3)]
    first = client.get(f"/api/v1/calls?project={project.code}&limit=2").get_json()
    rest = client.get(first["links"]["next"]).get_json()
    assert sorted(c["id"] for c in first["data"] + rest["data"]) == sorted(c.id for c in made)
    assert rest["links"]["next"] is None


# ---- proposals -----------------------------------------------------------------------------

@pytest.fixture
def call(make_call):
    return make_call(phase="supports")


def test_the_proposal_list_holds_only_public_proposals_of_published_calls(
        client, call, make_call, make_proposal, db_session):
    from civiclab.core.time import utcnow

    public = make_proposal(call=call)
    adopted = make_proposal(call=call, state=ProposalState.ADOPTED)
    hidden = make_proposal(call=call, hidden_at=utcnow())
    unseen = [make_proposal(call=call, state=state) for state in (
        ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED, ProposalState.REJECTED,
        ProposalState.WITHDRAWN)]
    unpublished_call = make_proposal(call=make_call(published=False))

    listed = ids(client.get(f"/api/v1/proposals?call={call.id}"))
    assert set(listed) == {public.id, adopted.id}
    everywhere = ids(client.get("/api/v1/proposals?limit=100"))
    assert not {hidden.id, unpublished_call.id, *(p.id for p in unseen)} & set(everywhere)


def test_the_proposal_list_filters_by_state_theme_and_words(client, call, make_proposal):
    green, mobility = call.themes
    garden = make_proposal(call=call, theme=green, title="Un orto nel cortile", body="Con le classi.")
    bikes = make_proposal(call=call, theme=mobility, title="Rastrelliere", body="Per le biciclette dei giardinieri.")
    adopted = make_proposal(call=call, theme=green, state=ProposalState.ADOPTED, title="Panchine",
                            body="All'ombra.")
    support = "/api/v1/proposals?call=" + str(call.id)

    assert set(ids(client.get(f"{support}&theme={green.id}"))) == {garden.id, adopted.id}
    assert ids(client.get(f"{support}&state=adopted")) == [adopted.id]
    assert ids(client.get(f"{support}&text=orto")) == [garden.id]
    assert ids(client.get(f"{support}&text=giardin")) == [bikes.id]  # a word's start, not a substring
    assert ids(client.get(f"{support}&text=porto")) == []
    assert ids(client.get(f"{support}&text=orto&theme={mobility.id}")) == []
    assert client.get(f"{support}&state=draft").status_code == 422


def test_the_proposal_list_sorts_by_supports_and_pages_in_a_stable_order(client, call, make_proposal):
    few = make_proposal(call=call, supports_count=1)
    many = make_proposal(call=call, supports_count=9)
    tied = [make_proposal(call=call, supports_count=5) for _ in range(3)]

    first = client.get(f"/api/v1/proposals?call={call.id}&sort=supports&limit=2").get_json()
    second = client.get(first["links"]["next"]).get_json()
    third = client.get(second["links"]["next"]).get_json()
    order = [p["id"] for p in first["data"] + second["data"] + third["data"]]
    assert order == [many.id, *sorted((p.id for p in tied), reverse=True), few.id]
    assert third["links"]["next"] is None
    assert [p["supports_count"] for p in first["data"]] == [9, 5]


def test_a_proposal_shows_its_counts_theme_author_and_sanitised_text(client, call, make_proposal, make_user):
    author = make_user(display_name="Giulia")
    proposal = make_proposal(call=call, author=author, theme=call.themes[0], supports_count=4, comments_count=2,
                             place="Giardino di via Libia")

    body = client.get(f"/api/v1/proposals/{proposal.id}").get_json()
    assert body["author"] == "Giulia" and body["theme"] == "Verde" and body["state"] == "accepted"
    assert body["supports_count"] == 4 and body["comments_count"] == 2
    assert body["body_html"] == "<p>Piantiamo alberi nel <strong>cortile</strong> della scuola.</p>\n"
    assert body["state_label"] == "Pubblicata"
    english = client.get(f"/api/v1/proposals/{proposal.id}", headers={"Accept-Language": "en"}).get_json()
    assert english["state_label"] == "Published"


@pytest.mark.parametrize("state, hidden", [
    (ProposalState.DRAFT, False), (ProposalState.SUBMITTED, False), (ProposalState.WITHDRAWN, False),
    (ProposalState.REJECTED, False), (ProposalState.ACCEPTED, True),
])
def test_a_proposal_the_page_does_not_show_is_a_404(client, call, make_proposal, make_user, make_token, state,
                                                   hidden):
    from civiclab.core.time import utcnow

    proposal = make_proposal(call=call, state=state, hidden_at=utcnow() if hidden else None)
    assert client.get(f"/api/v1/proposals/{proposal.id}").status_code == 404
    stranger = make_token(make_user(), scopes="read")
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=bearer(stranger)).status_code == 404
    assert client.get(f"/proposte/{proposal.id}").status_code == 404  # as its page


def test_an_author_reads_their_own_draft_with_their_token_as_on_the_page(client, call, make_proposal, make_user,
                                                                        make_token):
    author = make_user()
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT)
    response = client.get(f"/api/v1/proposals/{draft.id}", headers=bearer(make_token(author, scopes="read")))
    assert response.status_code == 200 and response.get_json()["state"] == "draft"
    assert draft.id not in ids(client.get(f"/api/v1/proposals?call={call.id}",
                                          headers=bearer(make_token(author, scopes="read"))))


def test_a_proposal_of_a_call_being_prepared_is_a_404(client, make_call, make_proposal):
    proposal = make_proposal(call=make_call(published=False))
    assert client.get(f"/api/v1/proposals/{proposal.id}").status_code == 404


# ---- statements per page -------------------------------------------------------------------

def _statements(client, count_queries, url):
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_lists_cost_the_same_statements_whatever_they_hold(client, make_call, make_project, make_proposal,
                                                              make_lab, count_queries):
    project = make_project()
    lab = make_lab(city=project.city)
    call = make_call(project=project, lab=lab, phase="supports")
    make_proposal(call=call, theme=call.themes[0])
    calls_url, proposals_url = f"/api/v1/calls?city={project.city.slug}", f"/api/v1/proposals?call={call.id}"
    few = (_statements(client, count_queries, calls_url), _statements(client, count_queries, proposals_url))
    for _ in range(4):
        other = make_call(project=project, lab=lab, phase="proposals")
        make_proposal(call=call, theme=call.themes[1])
        make_proposal(call=other)
    many = (_statements(client, count_queries, calls_url), _statements(client, count_queries, proposals_url))
    assert many == few
    assert len(client.get(proposals_url).get_json()["data"]) == 5
