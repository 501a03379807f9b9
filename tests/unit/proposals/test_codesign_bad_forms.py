"""Forms of the co-design pages sent with wrong choices, missing fields, odd text and twice: a
clear refusal (4xx) and nothing stored, never a 500."""
import pytest
import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.comments.models import Comment
from civiclab.proposals.models import Proposal, ProposalState
from tests.conftest import login


@pytest.fixture
def call(make_call, make_project, lab):
    return make_call(project=make_project(city=lab.city), lab=lab, phase="proposals")


@pytest.fixture
def accepted(make_proposal, call):
    return make_proposal(call=call)


@pytest.fixture
def participant(make_user):
    return make_user()


def count(db_session, model):
    return db_session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("data", [
    {"body": "Bene", "stance": "bar"},
    {"stance": "neutral"},
    {"body": ""},
    {"body": "   "},
    {"body": "&nbsp;"},
    {"body": "x" * 100_000},
])
def test_a_comment_with_a_wrong_stance_or_no_text_is_refused(client, db_session, participant, accepted, data):
    login(client, participant)
    before = count(db_session, Comment)

    response = client.post("/commenti", data={"proposal_id": str(accepted.id), **data})

    assert response.status_code == 422
    assert count(db_session, Comment) == before


@pytest.mark.parametrize("subject", [{}, {"proposal_id": "abc"}, {"proposal_id": "-3"}, {"project_id": "1.5"},
                                     {"proposal_id": "99999999999999999999"}])
def test_a_comment_without_a_subject_is_a_bad_request(client, participant, subject):
    login(client, participant)

    assert client.post("/commenti", data={"body": "Ciao", **subject}).status_code == 400


def test_a_comment_on_both_a_project_and_a_proposal_is_a_bad_request(client, participant, accepted):
    login(client, participant)

    response = client.post("/commenti", data={"body": "Ciao", "proposal_id": accepted.id,
                                              "project_id": accepted.call.project_id})

    assert response.status_code == 400


@pytest.mark.parametrize("value", ["5", "abc", "", "1.0", "99999999999999999999"])
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_vote_other_than_up_down_or_cancel_is_refused(client, db_session, participant, accepted, value,
                                                        accept):
    comment = Comment(proposal=accepted, author=accepted.author, body="Sì", body_html="<p>Sì</p>")
    db_session.add(comment)
    db_session.commit()
    login(client, participant)

    response = client.post(f"/commenti/{comment.id}/voto", data={"value": value}, headers={"Accept": accept})

    assert response.status_code == 400


@pytest.mark.parametrize("decision", ["foo", "", "draft", "submitted", "adopted", "withdrawn", None])
def test_a_decision_outside_accept_reject_or_changes_is_refused(client, db_session, facilitator, call,
                                                               make_proposal, decision):
    proposal = make_proposal(call=call, state=ProposalState.SUBMITTED)
    login(client, facilitator)
    data = {"reason": "Perché sì"} | ({"decision": decision} if decision is not None else {})

    response = client.post(f"/moderazione/proposte/{proposal.id}", data=data)

    assert response.status_code == 422
    db_session.refresh(proposal)
    assert proposal.state is ProposalState.SUBMITTED


def test_a_decision_with_a_reason_too_long_is_refused(client, db_session, facilitator, call, make_proposal):
    proposal = make_proposal(call=call, state=ProposalState.SUBMITTED)
    login(client, facilitator)

    response = client.post(f"/moderazione/proposte/{proposal.id}", data={"decision": "accepted",
                                                                          "reason": "x" * 100_000})

    assert response.status_code == 422
    db_session.refresh(proposal)
    assert proposal.state is ProposalState.SUBMITTED


@pytest.mark.parametrize("data", [
    {"duration": "foo", "reason": "Spam"},
    {"duration": "data", "reason": "Spam"},
    {"duration": "data", "until": "31/02/2030", "reason": "Spam"},
    {"duration": "data", "until": "2030-13-45", "reason": "Spam"},
    {"duration": "data", "until": "31/12/99999", "reason": "Spam"},
    {"duration": "data", "until": "01/01/0001", "reason": "Spam"},
    {"duration": "data", "until": "01/01/2000", "reason": "Spam"},
    {"duration": "7", "reason": ""},
    {"duration": "7", "reason": "x" * 100_000},
    {},
])
def test_a_block_with_a_wrong_duration_a_past_or_malformed_date_or_no_reason_is_refused(
        client, db_session, facilitator, accepted, data):
    participant = accepted.author  # active in the facilitator's city: they may block them
    login(client, facilitator)

    response = client.post(f"/moderazione/utenti/{participant.id}/blocca", data=data)

    assert response.status_code == 422
    assert db_session.scalar(sa.select(sa.func.count(UserBlock.id)).filter_by(user_id=participant.id)) == 0


@pytest.mark.parametrize("outcome", ["foo", "", None])
def test_resolving_reports_with_an_unknown_outcome_is_refused(client, db_session, facilitator, accepted, outcome):
    comment = Comment(proposal=accepted, author=accepted.author, body="Sì", body_html="<p>Sì</p>")
    db_session.add(comment)
    db_session.commit()
    login(client, facilitator)
    key = f"commento-{comment.id}"
    data = {f"{key}-reason": "Visto"} | ({f"{key}-outcome": outcome} if outcome is not None else {})

    response = client.post(f"/moderazione/segnalazioni/commento/{comment.id}", data=data)

    assert response.status_code == 422


@pytest.mark.parametrize("value", ["foo", "", "INSTANT"])
def test_a_mail_preference_outside_the_choices_is_refused(client, participant, value):
    login(client, participant)

    response = client.post("/notifiche/preferenze", data={"proposal_state": value, "comment_reply": "none",
                                                           "followed_news": "daily"})

    assert response.status_code == 422


@pytest.mark.parametrize("data", [
    {"title": "Orti", "body": "Idea", "theme_id": "abc"},
    {"title": "Orti", "body": "Idea", "theme_id": "99999999999999999999"},
    {"title": "Orti", "body": "Idea", "theme_id": "-1"},
    {"title": "Orti", "body": "Idea", "lab_id": "99999999999999999999"},
    {"title": "x" * 100_000, "body": "Idea"},
    {"title": "<b></b>", "body": "Idea"},
    {"title": "Orti", "body": ""},
    {"title": "Orti", "body": "x" * 100_000},
    {"title": "Orti", "body": "Idea", "place": "x" * 5_000},
    {},
])
def test_a_proposal_with_wrong_choices_or_text_is_refused(client, db_session, participant, call, data):
    login(client, participant)
    data = {"theme_id": str(call.themes[0].id), "lab_id": "0", **data}
    before = count(db_session, Proposal)

    response = client.post(f"/call/{call.id}/proponi", data=data)

    assert response.status_code == 422
    assert count(db_session, Proposal) == before


def test_a_proposal_in_unusual_unicode_is_kept_as_written(client, db_session, participant, call):
    login(client, participant)
    title = "Orti ż😀 \u202eintorno"

    response = client.post(f"/call/{call.id}/proponi", data={"title": title, "body": "Idea 😀",
                                                            "theme_id": call.themes[0].id, "lab_id": 0})

    assert response.status_code == 302
    assert db_session.scalar(sa.select(Proposal.title).filter_by(author_id=participant.id)) == title


@pytest.mark.parametrize("data", [
    {"proposals_date": "31/02/2030"},
    {"proposals_date": "2030-13-45"},
    {"proposals_date": "01/01/99999"},
    {"proposals_date": "01/01/0001"},
    {"proposals_time": "25:99"},
    {"closes_date": "01/01/2000"},
    {"project_id": "abc"},
    {"project_id": "99999999999999999999"},
    {"lab_id": "-5"},
    {"title": ""},
    {"themes": "\n".join(f"Tema {n}" for n in range(30))},
])
def test_a_call_with_malformed_dates_or_choices_is_refused(client, db_session, make_staff, call, data):
    staff = make_staff(call.city)
    login(client, staff)
    form = {"title": "Idee", "description": "", "project_id": call.project_id, "lab_id": 0, "themes": "Verde",
            "proposals_date": "01/01/2031", "review_date": "01/02/2031", "supports_date": "01/03/2031",
            "closes_date": "01/04/2031", **data}

    response = client.post(f"/gestione/citta/{call.city.slug}/call/nuova", data=form)

    assert response.status_code == 422
