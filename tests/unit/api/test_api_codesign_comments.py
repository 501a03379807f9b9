"""Comments through the API: the threads of a proposal, a project and an outcome as their pages show
them (placeholders, never a hidden text), keyset pages of threads, and writing comments and
replies with the section's rules (blocks, closed threads, unconfirmed accounts, one shared budget)."""
import pytest
import sqlalchemy as sa

from civiclab.comments.models import Comment
from civiclab.core.time import utcnow
from civiclab.proposals.models import ProposalState
from tests.fixtures.api import bearer


@pytest.fixture
def proposal(make_call, make_proposal):
    return make_proposal(call=make_call(phase="proposals"))


@pytest.fixture
def say(db_session):
    """say(author, "text", parent=None, **target): a comment stored as the service would."""
    def post(author, body, parent=None, **target):
        comment = Comment(author_id=author.id, body=body, body_html=f"<p>{body}</p>", **{
            f"{kind}_id": thing.id for kind, thing in target.items()})
        if parent is not None:
            comment.parent_id, comment.root_id = parent.id, parent.root_id or parent.id
            comment.depth = parent.depth + 1
            for column in ("proposal_id", "project_id", "outcome_id"):
                setattr(comment, column, getattr(parent, column))
        db_session.add(comment)
        db_session.commit()
        return comment

    return post


@pytest.fixture
def writes(client, make_token):
    def send(user, url, json):
        return client.post(url, json=json, headers=bearer(make_token(user)))

    return send


def test_a_proposals_threads_come_with_their_replies_the_oldest_first(client, proposal, make_user, say):
    anna, bruno = make_user(display_name="Anna"), make_user(display_name="Bruno")
    first = say(anna, "Bella idea", proposal=proposal)
    reply = say(bruno, "Concordo", parent=first)
    deeper = say(anna, "Grazie", parent=reply)
    second = say(bruno, "Dove?", proposal=proposal)

    body = client.get(f"/api/v1/proposals/{proposal.id}/comments").get_json()
    assert [thread["id"] for thread in body["data"]] == [first.id, second.id]
    thread = body["data"][0]
    assert thread["author"] == "Anna" and thread["body_html"] == "<p>Bella idea</p>" and thread["depth"] == 0
    assert [(r["id"], r["parent_id"], r["depth"]) for r in thread["replies"]] == [
        (reply.id, first.id, 1), (deeper.id, reply.id, 2)]
    assert body["data"][1]["replies"] == [] and body["links"]["next"] is None


def test_hidden_and_deleted_comments_show_the_pages_placeholder_never_their_text(
        client, proposal, make_user, make_staff, make_token, say, db_session):
    author = make_user()
    deleted = say(author, "Segreto-cancellato", proposal=proposal)
    moderated = say(author, "Segreto-moderato", proposal=proposal)
    reported = say(author, "Segreto-segnalato", proposal=proposal)
    kept = say(author, "Risposta visibile", parent=moderated)
    deleted.deleted_at = utcnow()
    moderator = make_staff(proposal.call.city)
    moderated.hidden_at, moderated.hidden_by_id, moderated.hidden_reason = utcnow(), moderator.id, "Offensivo"
    reported.hidden_at = utcnow()
    db_session.commit()

    for headers in ({}, bearer(make_token(moderator, scopes="read")), bearer(make_token(author, scopes="read"))):
        response = client.get(f"/api/v1/proposals/{proposal.id}/comments", headers=headers)
        text = response.get_data(as_text=True)
        assert "Segreto" not in text
        assert "Offensivo" not in text
        threads = {thread["id"]: thread for thread in response.get_json()["data"]}
        assert threads[deleted.id]["status"] == "deleted"
        assert threads[deleted.id]["placeholder"] == "Commento eliminato dall’autore."
        assert threads[moderated.id]["status"] == "hidden" and threads[moderated.id]["author"] is None
        assert threads[moderated.id]["placeholder"] == "Commento nascosto dai moderatori."
        assert threads[reported.id]["status"] == "pending_review"
        assert threads[reported.id]["body"] is None and threads[reported.id]["body_html"] is None
        assert threads[moderated.id]["replies"][0]["body_html"] == "<p>Risposta visibile</p>"
        assert kept.id == threads[moderated.id]["replies"][0]["id"]


def test_threads_come_in_keyset_pages_with_every_reply(client, proposal, make_user, say):
    author = make_user()
    roots = [say(author, f"Commento {n}", proposal=proposal) for n in range(3)]
    replies = [say(author, f"Risposta {n}", parent=roots[0]) for n in range(3)]

    first = client.get(f"/api/v1/proposals/{proposal.id}/comments?limit=2").get_json()
    rest = client.get(first["links"]["next"]).get_json()
    assert [t["id"] for t in first["data"] + rest["data"]] == [root.id for root in roots]
    assert [r["id"] for r in first["data"][0]["replies"]] == [reply.id for reply in replies]
    assert rest["links"]["next"] is None


def test_a_thread_costs_the_same_statements_whatever_it_holds(client, proposal, make_user, make_lab,
                                                             make_facilitator, say, count_queries):
    def statements():
        with count_queries() as run:
            assert client.get(f"/api/v1/proposals/{proposal.id}/comments").status_code == 200
        return len(run)

    say(make_user(), "Primo", proposal=proposal)
    few = statements()
    for n in range(5):
        root = say(make_user(), f"Commento {n}", proposal=proposal)
        say(make_facilitator(make_lab(city=proposal.call.city)), "Risposta", parent=root)
    assert statements() == few


def test_a_facilitators_reply_carries_the_pages_role_badge(client, proposal, make_user, make_facilitator,
                                                          make_lab, say):
    root = say(make_user(), "Domanda", proposal=proposal)
    say(make_facilitator(make_lab(city=proposal.call.city)), "Risposta", parent=root)
    reply = client.get(f"/api/v1/proposals/{proposal.id}/comments").get_json()["data"][0]["replies"][0]
    assert reply["author_badge"] == "Facilitazione"


@pytest.mark.parametrize("state", [ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.WITHDRAWN])
def test_the_comments_of_a_proposal_the_page_does_not_show_are_a_404(client, make_call, make_proposal, state):
    proposal = make_proposal(call=make_call(), state=state)
    assert client.get(f"/api/v1/proposals/{proposal.id}/comments").status_code == 404


def test_a_project_is_named_by_its_code_and_a_draft_one_is_a_404(client, make_project, make_user, say):
    project = make_project(code="BO1.1.1a")
    say(make_user(), "Quando iniziano i lavori?", project=project)
    body = client.get("/api/v1/projects/BO1.1.1a/comments").get_json()
    assert [t["body_html"] for t in body["data"]] == ["<p>Quando iniziano i lavori?</p>"]
    draft = make_project(published=False)
    assert client.get(f"/api/v1/projects/{draft.code}/comments").status_code == 404
    assert client.get("/api/v1/projects/NESSUNO/comments").status_code == 404


def test_an_outcomes_comments_are_read_once_it_is_published(client, make_published_outcome, make_user, say):
    outcome = make_published_outcome()
    say(make_user(), "Ottimo lavoro", outcome=outcome)
    assert len(client.get(f"/api/v1/outcomes/{outcome.id}/comments").get_json()["data"]) == 1
    draft = make_published_outcome(published=False)
    assert client.get(f"/api/v1/outcomes/{draft.id}/comments").status_code == 404


# ---- writing -------------------------------------------------------------------------------

def test_a_comment_with_a_stance_and_a_reply_are_posted_on_a_proposal(writes, proposal, make_user, db_session):
    anna = make_user(display_name="Anna")
    response = writes(anna, f"/api/v1/proposals/{proposal.id}/comments",
                      {"body": "Sono **d'accordo**", "stance": "in_favour"})
    assert response.status_code == 201, response.get_json()
    posted = response.get_json()
    assert posted["stance"] == "in_favour" and posted["author"] == "Anna"
    assert posted["body_html"] == "<p>Sono <strong>d'accordo</strong></p>\n"
    reply = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments",
                   {"body": "Anche io", "parent_id": posted["id"]})
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == posted["id"]
    assert reply.get_json()["depth"] == 1
    db_session.expire_all()
    assert proposal.comments_count == 2


def test_comments_and_replies_are_posted_on_projects_and_outcomes(writes, make_project, make_published_outcome,
                                                                 make_user):
    project = make_project()
    response = writes(make_user(), f"/api/v1/projects/{project.code}/comments", {"body": "Quando?"})
    assert response.status_code == 201
    outcome = make_published_outcome()
    response = writes(make_user(), f"/api/v1/outcomes/{outcome.id}/comments", {"body": "Bene"})
    reply = writes(make_user(), f"/api/v1/outcomes/{outcome.id}/comments",
                   {"body": "Sì", "parent_id": response.get_json()["id"]})
    assert response.status_code == 201 and reply.status_code == 201


@pytest.mark.parametrize("json, field", [
    ({"body": ""}, "body"),
    ({"body": "x" * 5_001}, "body"),
    ({"body": "\u200b\u200b"}, "body"),  # nothing visible: the service's refusal
    ({"body": "Ciao", "stance": "forse"}, "stance"),
    ({"body": "Ciao", "extra": 1}, "extra"),
])
def test_a_comment_that_is_not_valid_is_a_422_on_its_field(writes, proposal, make_user, json, field, db_session):
    response = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments", json)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"], response.get_json()
    assert db_session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_a_lone_surrogate_in_a_comment_is_a_422(writes, proposal, make_user):
    response = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments", {"body": "Ciao \ud83d"})
    assert response.status_code == 422


def test_a_stance_is_taken_only_on_a_proposal_and_not_in_replies(writes, proposal, make_project, make_user, say):
    project = make_project()
    response = writes(make_user(), f"/api/v1/projects/{project.code}/comments", {"body": "Sì", "stance": "against"})
    assert response.status_code == 422 and "stance" in response.get_json()["error"]["fields"]
    root = say(make_user(), "Prima", proposal=proposal)
    response = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments",
                      {"body": "Sì", "stance": "against", "parent_id": root.id})
    assert response.status_code == 422 and "stance" in response.get_json()["error"]["fields"]


def test_a_reply_must_answer_a_comment_of_the_same_target(writes, proposal, make_project, make_user, say):
    elsewhere = say(make_user(), "Altrove", project=make_project())
    response = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments",
                      {"body": "Sì", "parent_id": elsewhere.id})
    assert response.status_code == 422 and "parent_id" in response.get_json()["error"]["fields"]
    response = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments", {"body": "Sì", "parent_id": 999_999})
    assert response.status_code == 422 and "parent_id" in response.get_json()["error"]["fields"]


def test_a_reply_to_a_hidden_comment_is_a_409(writes, proposal, make_user, say, db_session):
    hidden = say(make_user(), "Nascosto", proposal=proposal)
    hidden.hidden_at = utcnow()
    db_session.commit()
    response = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments", {"body": "Sì", "parent_id": hidden.id})
    assert response.status_code == 409


@pytest.mark.parametrize("phase", ["upcoming", "closed"])
def test_a_closed_thread_is_a_409(writes, make_call, make_proposal, make_user, phase):
    proposal = make_proposal(call=make_call(phase=phase))
    response = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments", {"body": "Ciao"})
    assert response.status_code == 409 and "commenti sono chiusi" in response.get_json()["error"]["message"]


def test_an_unpublished_proposal_takes_no_comment(writes, make_call, make_proposal, make_user):
    author = make_user()
    draft = make_proposal(call=make_call(), author=author, state=ProposalState.DRAFT)
    assert writes(make_user(), f"/api/v1/proposals/{draft.id}/comments", {"body": "Ciao"}).status_code == 404
    assert writes(author, f"/api/v1/proposals/{draft.id}/comments", {"body": "Ciao"}).status_code == 409


def test_an_unconfirmed_or_blocked_account_may_not_comment(writes, proposal, make_user, db_session):
    from civiclab.accounts.blocks import UserBlock

    url = f"/api/v1/proposals/{proposal.id}/comments"
    assert writes(make_user(confirmed=False), url, {"body": "Ciao"}).status_code == 403
    blocked = make_user()
    db_session.add(UserBlock(user_id=blocked.id, reason="Insulti"))
    db_session.commit()
    response = writes(blocked, url, {"body": "Ciao"})
    assert response.status_code == 403 and "Insulti" in response.get_json()["error"]["message"]


def test_writing_a_comment_needs_a_write_token(client, proposal, make_user, make_token):
    url = f"/api/v1/proposals/{proposal.id}/comments"
    assert client.post(url, json={"body": "Ciao"}).status_code == 401
    headers = bearer(make_token(make_user(), scopes="read"))
    assert client.post(url, json={"body": "Ciao"}, headers=headers).status_code == 403


def test_comments_and_replies_share_one_budget_per_person(limited_client, proposal, make_user, make_token, say):
    user = make_user()
    token, same_person = make_token(user), make_token(user)
    root = say(make_user(), "Prima", proposal=proposal)
    url = f"/api/v1/proposals/{proposal.id}/comments"
    statuses = [limited_client.post(url, json=json, headers=bearer(token)).status_code
                for json in ({"body": "Uno"}, {"body": "Due", "parent_id": root.id}, {"body": "Tre"})]
    assert statuses == [201, 201, 429]  # RATELIMIT_COMMENT is "2 per minute" in the limited app
    project_url = f"/api/v1/projects/{proposal.call.project.code}/comments"
    assert limited_client.post(project_url, json={"body": "Quattro"}, headers=bearer(token)).status_code == 429
    assert limited_client.post(url, json={"body": "Cinque"}, headers=bearer(same_person)).status_code == 429
    assert limited_client.post(url, json={"body": "Sei"}, headers=bearer(make_token(make_user()))).status_code == 201


def test_a_placeholder_is_in_the_readers_language(client, proposal, make_user, say, db_session):
    hidden = say(make_user(), "Segreto", proposal=proposal)
    hidden.hidden_at = utcnow()
    db_session.commit()
    response = client.get(f"/api/v1/proposals/{proposal.id}/comments", headers={"Accept-Language": "en"})
    placeholder = response.get_json()["data"][0]["placeholder"]
    assert placeholder.startswith("Comment hidden") and "Segreto" not in response.get_data(as_text=True)


def test_a_nul_in_a_comment_is_a_400_as_on_the_pages_and_saves_nothing(writes, proposal, make_user, db_session):
    response = writes(make_user(), f"/api/v1/proposals/{proposal.id}/comments", {"body": "Ciao\u0000"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert db_session.scalar(sa.select(sa.func.count(Comment.id))) == 0
