"""Writing, editing and supporting proposals through the API with a token: the pages' services and
rules, and every refusal (401, 403, 404, 409, 422)."""
import pytest
import sqlalchemy as sa

from civiclab.proposals.models import Proposal, ProposalState, Support
from tests.fixtures.api import bearer


@pytest.fixture
def call(make_call):
    return make_call(phase="proposals")


@pytest.fixture
def author(make_user):
    return make_user()


@pytest.fixture
def writes(client, make_token, author):
    """writes(method, url, json=None, user=author): a request with a read-and-write token."""
    def send(method, url, json=None, user=None):
        return client.open(url, method=method, json=json, headers=bearer(make_token(user or author)))

    return send


def idea(call, **fields):
    return {"title": "Un orto nel cortile", "body": "Con le **classi** della scuola.",
            "theme_id": call.themes[0].id, **fields}


def test_a_proposal_is_written_as_a_draft_only_its_author_sees(client, writes, call, author, db_session):
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call, place="Via Libia"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "draft" and body["author"] == author.display_name and body["place"] == "Via Libia"
    assert body["body_html"] == "<p>Con le <strong>classi</strong> della scuola.</p>\n"
    stored = db_session.get(Proposal, body["id"])
    assert stored.state is ProposalState.DRAFT and stored.author_id == author.id
    assert client.get(f"/api/v1/proposals/{body['id']}").status_code == 404


def test_a_proposal_sent_at_once_goes_to_the_facilitators(writes, call, db_session):
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call, submit=True))
    assert response.status_code == 201 and response.get_json()["state"] == "submitted"
    assert db_session.get(Proposal, response.get_json()["id"]).submitted_at is not None


def test_writing_needs_a_token_with_the_write_scope(client, make_token, call, author):
    url = f"/api/v1/calls/{call.id}/proposals"
    assert client.post(url, json=idea(call)).status_code == 401
    read_only = client.post(url, json=idea(call), headers=bearer(make_token(author, scopes="read")))
    assert read_only.status_code == 403 and read_only.get_json()["error"]["code"] == "insufficient_scope"


def test_a_session_cookie_alone_writes_nothing(client, call, author):
    from tests.conftest import login

    login(client, author)
    assert client.post(f"/api/v1/calls/{call.id}/proposals", json=idea(call)).status_code == 401


@pytest.mark.parametrize("fields, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": " \u200b "}, "title"),  # nothing visible left: the service's own refusal
    ({"body": "y" * 20_001}, "body"),
    ({"body": "   "}, "body"),
    ({"place": "p" * 201}, "place"),
    ({"theme_id": None}, "theme_id"),  # the call has themes: the form asks for one
    ({"theme_id": 2**31 - 1}, "theme_id"),  # not one of the call's themes
    ({"lab_id": 2**31 - 1}, "lab_id"),
    ({"colour": "red"}, "colour"),
])
def test_a_proposal_that_is_not_valid_is_a_422_on_its_field(writes, call, db_session, fields, field):
    before = db_session.scalar(sa.select(sa.func.count(Proposal.id)))
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call, **fields))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == before


def test_a_nul_is_a_400_as_on_the_pages_and_nothing_is_saved(writes, call, db_session):
    before = db_session.scalar(sa.select(sa.func.count(Proposal.id)))
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call, body="Testo\u0000nullo"))
    assert response.status_code == 400  # no NUL reaches the database (PostgreSQL refuses them)
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == before


@pytest.mark.parametrize("fields", [{"title": "Orto \ud800"}, {"body": "Testo \udfff"}, {"place": "\udbff"}])
def test_a_lone_surrogate_is_a_422_not_a_server_error(writes, call, db_session, fields):
    before = db_session.scalar(sa.select(sa.func.count(Proposal.id)))
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call, **fields))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid"
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == before


def test_a_lab_of_another_city_is_refused_as_on_the_form(writes, call, make_lab):
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call, lab_id=make_lab().id))
    assert response.status_code == 422 and "lab_id" in response.get_json()["error"]["fields"]
    own_lab = make_lab(city=call.city)
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call, lab_id=own_lab.id))
    assert response.status_code == 201 and response.get_json()["lab_id"] == own_lab.id


def test_bidi_and_zero_width_characters_are_cleaned_as_the_pages_store_texts(writes, call, db_session):
    title = "Orto\u200b nel \u202ecortile"
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals",
                      idea(call, title=title, body="Testo \u202edi prova\u2066.", place="Via\u200d Libia"))
    assert response.status_code == 201
    stored = db_session.get(Proposal, response.get_json()["id"])
    assert stored.title == "Orto nel cortile" and stored.body == "Testo di prova." and stored.place == "Via Libia"


def test_a_body_that_is_not_json_is_a_415(client, make_token, call, author):
    response = client.post(f"/api/v1/calls/{call.id}/proposals", data="title=x",
                           headers=bearer(make_token(author)))
    assert response.status_code == 415


@pytest.mark.parametrize("phase", ["upcoming", "review", "supports", "closed"])
def test_a_call_that_takes_no_proposals_now_is_a_409(writes, make_call, phase):
    call = make_call(phase=phase)
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"


def test_a_call_being_prepared_takes_no_proposal_it_is_a_404(writes, make_call):
    call = make_call(published=False)
    assert writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call)).status_code == 404


def test_an_unconfirmed_account_may_not_propose(writes, call, make_user):
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call), user=make_user(confirmed=False))
    assert response.status_code == 403


def test_a_blocked_account_is_told_why_and_may_not_propose(writes, call, author, db_session):
    from civiclab.accounts.blocks import UserBlock

    db_session.add(UserBlock(user_id=author.id, reason="Spam ripetuto"))
    db_session.commit()
    response = writes("POST", f"/api/v1/calls/{call.id}/proposals", idea(call))
    assert response.status_code == 403 and "Spam ripetuto" in response.get_json()["error"]["message"]


# ---- editing -------------------------------------------------------------------------------

def test_its_author_edits_a_draft_field_by_field_and_sends_it(writes, call, author, make_proposal, db_session):
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT, theme=call.themes[0],
                          place="Via Libia")
    response = writes("PATCH", f"/api/v1/proposals/{draft.id}", {"title": "Un titolo migliore"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title"] == "Un titolo migliore" and response.get_json()["place"] == "Via Libia"
    response = writes("PATCH", f"/api/v1/proposals/{draft.id}", {"submit": True})
    assert response.status_code == 200 and response.get_json()["state"] == "submitted"


def test_a_change_request_is_answered_through_the_api(writes, call, author, make_proposal):
    asked = make_proposal(call=call, author=author, state=ProposalState.CHANGES_REQUESTED, theme=call.themes[0])
    response = writes("PATCH", f"/api/v1/proposals/{asked.id}", {"body": "Più chiaro.", "submit": True})
    assert response.status_code == 200 and response.get_json()["state"] == "submitted"
    assert response.get_json()["body"] == "Più chiaro."


def test_only_its_author_edits_a_proposal(writes, call, author, make_proposal, make_user):
    published = make_proposal(call=call, author=author)
    assert writes("PATCH", f"/api/v1/proposals/{published.id}", {"title": "Mia"}, user=make_user()).status_code == 403
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT)
    assert writes("PATCH", f"/api/v1/proposals/{draft.id}", {"title": "Mia"}, user=make_user()).status_code == 404


@pytest.mark.parametrize("state", [ProposalState.SUBMITTED, ProposalState.ACCEPTED, ProposalState.REJECTED])
def test_a_proposal_no_longer_editable_is_a_409(writes, call, author, make_proposal, state):
    proposal = make_proposal(call=call, author=author, state=state)
    response = writes("PATCH", f"/api/v1/proposals/{proposal.id}", {"title": "Di nuovo"})
    assert response.status_code == 409


def test_an_edit_that_is_not_valid_changes_nothing(writes, call, author, make_proposal, db_session):
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT, title="Prima")
    response = writes("PATCH", f"/api/v1/proposals/{draft.id}", {"title": "Dopo", "theme_id": None})
    assert response.status_code == 422 and "theme_id" in response.get_json()["error"]["fields"]
    db_session.expire_all()
    assert db_session.get(Proposal, draft.id).title == "Prima"


# ---- supports ------------------------------------------------------------------------------

@pytest.fixture
def supportable(make_call, make_proposal, author):
    return make_proposal(call=make_call(phase="supports"), author=author)


def test_a_participant_supports_once_and_withdraws(writes, supportable, make_user, db_session):
    fan = make_user()
    response = writes("POST", f"/api/v1/proposals/{supportable.id}/support", user=fan)
    assert response.status_code == 201 and response.get_json() == {
        "proposal_id": supportable.id, "supported": True, "supports_count": 1}
    again = writes("POST", f"/api/v1/proposals/{supportable.id}/support", user=fan)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    response = writes("DELETE", f"/api/v1/proposals/{supportable.id}/support", user=fan)
    assert response.status_code == 200 and response.get_json()["supports_count"] == 0
    assert writes("DELETE", f"/api/v1/proposals/{supportable.id}/support", user=fan).status_code == 409
    assert db_session.scalar(sa.select(sa.func.count(Support.id))) == 0


def test_an_author_may_not_support_their_own_proposal(writes, supportable):
    assert writes("POST", f"/api/v1/proposals/{supportable.id}/support").status_code == 409


def test_supports_outside_their_phase_are_a_409(writes, make_call, make_proposal, make_user):
    proposal = make_proposal(call=make_call(phase="proposals"))
    assert writes("POST", f"/api/v1/proposals/{proposal.id}/support", user=make_user()).status_code == 409


def test_a_proposal_nobody_sees_cannot_be_supported(writes, make_call, make_proposal, make_user):
    draft = make_proposal(call=make_call(phase="supports"), state=ProposalState.DRAFT)
    assert writes("POST", f"/api/v1/proposals/{draft.id}/support", user=make_user()).status_code == 404


def test_an_unconfirmed_account_may_not_support(writes, supportable, make_user):
    response = writes("POST", f"/api/v1/proposals/{supportable.id}/support", user=make_user(confirmed=False))
    assert response.status_code == 403


def test_writes_are_limited_per_person_by_the_pages_write_limit(limited_client, make_token, make_call, make_user):
    call = make_call(phase="proposals")
    user = make_user()
    first, second = make_token(user), make_token(user)
    url = f"/api/v1/calls/{call.id}/proposals"
    statuses = [limited_client.post(url, json=idea(call), headers=bearer(first)).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]  # RATELIMIT_WRITE is "2 per minute" in the limited app
    assert limited_client.post(url, json=idea(call), headers=bearer(second)).status_code == 429  # same person
    assert limited_client.post(url, json=idea(call), headers=bearer(make_token(make_user()))).status_code == 201
