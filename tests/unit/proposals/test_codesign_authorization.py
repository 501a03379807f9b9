"""Authorization probes across labs and states: a facilitator of another lab of the same city
moderates nothing of a lab's call; what is not public (drafts, submissions, rejected, withdrawn,
hidden, of an unpublished call) leaks through no page, attachment, follow, search or JSON."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.comments.models import Comment
from civiclab.core.time import utcnow
from civiclab.moderation.models import Report
from civiclab.proposals import attachments
from civiclab.proposals.models import Attachment, ProposalState
from tests.conftest import login

HIDDEN_STATES = [ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED,
                 ProposalState.REJECTED, ProposalState.WITHDRAWN]


@pytest.fixture
def call(make_call, make_project, lab):
    return make_call(project=make_project(city=lab.city), lab=lab, phase="supports")


@pytest.fixture
def neighbour(make_lab, make_facilitator, lab):
    """The facilitator of another lab of the same city."""
    return make_facilitator(make_lab(city=lab.city))


def commented(db_session, proposal, **fields):
    comment = Comment(proposal=proposal, author=proposal.author, body="Sì", body_html="<p>Sì</p>", **fields)
    db_session.add(comment)
    db_session.commit()
    return comment


# ---- moderating another lab's call ---------------------------------------------------------

def test_a_facilitator_of_another_lab_of_the_city_moderates_nothing_of_the_labs_call(
        client, db_session, call, neighbour, make_proposal, make_user):
    submitted = make_proposal(call=call, state=ProposalState.SUBMITTED)
    accepted = make_proposal(call=call)
    comment = commented(db_session, accepted)
    db_session.add(Report(comment=comment, reporter=make_user(), reason="Spam"))
    db_session.commit()
    login(client, neighbour)

    assert client.get(f"/moderazione/proposte/{submitted.id}").status_code == 403
    assert client.post(f"/moderazione/proposte/{accepted.id}",
                       data={"decision": "rejected", "reason": "No"}).status_code == 403
    assert client.post(f"/commenti/{comment.id}/nascondi", data={"reason": "No"}).status_code == 403
    assert client.post(f"/commenti/{comment.id}/ripristina", data={"reason": "No"}).status_code == 403
    assert client.post(f"/moderazione/segnalazioni/commento/{comment.id}",
                       data={f"commento-{comment.id}-outcome": "confermate",
                             f"commento-{comment.id}-reason": "No"}).status_code == 403
    queue = client.get("/moderazione/proposte", query_string={"call": call.id, "stato": "tutti"}).text
    assert submitted.title not in queue and accepted.title not in queue
    assert comment.body_html not in client.get("/moderazione/segnalazioni").text
    db_session.refresh(comment)
    db_session.refresh(submitted)
    assert comment.hidden_at is None and submitted.state is ProposalState.SUBMITTED


def test_a_participant_reaches_no_moderation_action(client, db_session, call, make_proposal, make_user):
    accepted = make_proposal(call=call)
    comment = commented(db_session, accepted)
    victim = make_user()
    login(client, make_user())

    for url in ("/moderazione/proposte", "/moderazione/segnalazioni", "/moderazione/blocchi",
                "/moderazione/registro", f"/moderazione/utenti/{victim.id}/blocca",
                f"/commenti/{comment.id}/nascondi"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/moderazione/utenti/{victim.id}/blocca",
                       data={"duration": "sempre", "reason": "x"}).status_code == 403


# ---- what is not public --------------------------------------------------------------------

@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_proposal_that_is_not_public_leaks_nowhere_to_other_participants(
        client, db_session, call, make_proposal, make_user, state):
    proposal = make_proposal(call=call, state=state, title="Segretissima fontana")
    checked = attachments.CheckedUpload("piano.pdf", "application/pdf", "pdf", b"%PDF-1.4\n%%EOF\n")
    attachment = Attachment(proposal_id=proposal.id, filename="piano.pdf", content_type="application/pdf",
                            stored_name=attachments.store(checked), size=checked.size)
    db_session.add(attachment)
    db_session.commit()
    login(client, make_user())

    assert client.get(f"/proposte/{proposal.id}").status_code == 404
    assert client.get(f"/proposte/{proposal.id}/allegati/{attachment.id}").status_code == 404
    assert client.post(f"/segui/proposta/{proposal.id}").status_code == 404
    assert client.post(f"/proposte/{proposal.id}/sostieni").status_code == 404
    assert client.post(f"/proposte/{proposal.id}/segnala", data={"reason": "x"}).status_code == 404
    assert client.post("/commenti", data={"proposal_id": proposal.id, "body": "Ciao"}).status_code == 404
    assert "Segretissima" not in client.get(f"/call/{call.id}/proposte-simili?titolo=segretissima fontana").text
    assert "Segretissima" not in client.get("/cerca?q=segretissima").text
    assert "Segretissima" not in client.get("/cerca?q=segretissima&tipo=proposte").text
    assert "Segretissima" not in client.get(f"/call/{call.id}?q=segretissima").text


def test_the_same_probes_find_a_public_proposal(client, call, make_proposal, make_user):
    """The control of the test above: the searches it makes do find what is public."""
    make_proposal(call=call, title="Segretissima fontana")
    login(client, make_user())

    assert "Segretissima" in client.get(f"/call/{call.id}/proposte-simili?titolo=segretissima fontana").text
    assert "Segretissima" in client.get("/cerca?q=segretissima").text
    assert "Segretissima" in client.get(f"/call/{call.id}?q=segretissima").text


def test_a_proposal_hidden_pending_review_and_its_comments_leak_nowhere(client, db_session, call, make_proposal,
                                                                        make_user):
    proposal = make_proposal(call=call, title="Fontana contestata", hidden_at=utcnow())
    comment = commented(db_session, proposal)
    login(client, make_user())

    assert client.get(f"/proposte/{proposal.id}").status_code == 404
    assert client.get(f"/commenti/{comment.id}").status_code == 404
    assert client.post(f"/commenti/{comment.id}/risposta", data={"body": "Ciao"}).status_code == 404
    assert client.post(f"/commenti/{comment.id}/voto", data={"value": "1"}).status_code == 404
    assert "Fontana" not in client.get(f"/call/{call.id}/proposte-simili?titolo=fontana").text
    assert "Fontana" not in client.get("/cerca?q=fontana").text


def test_the_proposals_of_an_unpublished_call_leak_nowhere(client, make_call, make_proposal, make_user, lab):
    call = make_call(lab=lab, published=False)
    proposal = make_proposal(call=call, title="Panchine nascoste")
    login(client, make_user())

    assert client.get(f"/call/{call.id}").status_code == 404
    assert client.get(f"/call/{call.id}/proposte-simili?titolo=panchine").status_code == 404
    assert client.get(f"/proposte/{proposal.id}").status_code == 404
    assert client.post(f"/segui/call/{call.id}").status_code == 404
    assert client.post(f"/segui/proposta/{proposal.id}").status_code == 404
    assert "Panchine" not in client.get("/cerca?q=panchine").text


def test_an_unpublished_project_cannot_be_followed_or_commented(client, make_project, make_user):
    project = make_project(published=False)
    login(client, make_user())

    assert client.post(f"/segui/progetto/{project.id}").status_code == 404
    assert client.post("/commenti", data={"project_id": project.id, "body": "Ciao"}).status_code == 404


# ---- comments of others, and the editing window --------------------------------------------

def test_nobody_edits_or_deletes_somebody_elses_comment(client, db_session, call, make_proposal, make_user):
    comment = commented(db_session, make_proposal(call=call))
    login(client, make_user(is_admin=True))  # not even an administrator

    assert client.get(f"/commenti/{comment.id}/modifica").status_code == 403
    assert client.post(f"/commenti/{comment.id}/modifica", data={"body": "Cambiato"}).status_code == 403
    assert client.post(f"/commenti/{comment.id}/elimina").status_code == 403
    db_session.refresh(comment)
    assert (comment.body, comment.deleted_at) == ("Sì", None)


def test_a_comment_posted_sixteen_minutes_ago_is_not_changed_by_a_post(client, db_session, call, make_proposal):
    comment = commented(db_session, make_proposal(call=call), created_at=utcnow() - timedelta(minutes=16))
    login(client, comment.author)

    response = client.post(f"/commenti/{comment.id}/modifica", data={"body": "Cambiato"})

    assert response.status_code == 422
    db_session.refresh(comment)
    assert comment.body == "Sì" and comment.edited_at is None


def test_a_moderated_comment_is_not_changed_by_its_author_within_the_window(client, db_session, call,
                                                                            make_proposal, make_user):
    comment = commented(db_session, make_proposal(call=call), hidden_at=utcnow(), hidden_by_id=make_user().id,
                        hidden_reason="Offensivo")
    login(client, comment.author)

    response = client.post(f"/commenti/{comment.id}/modifica", data={"body": "Ora va bene"})

    assert response.status_code == 422
    db_session.refresh(comment)
    assert comment.body == "Sì"


# ---- duplicates ----------------------------------------------------------------------------

def test_supporting_reporting_and_following_twice_count_once(client, db_session, call, make_proposal, make_user):
    from civiclab.follows.models import Follow
    from civiclab.proposals.models import Support

    proposal = make_proposal(call=call)
    user = make_user()
    login(client, user)

    assert [client.post(f"/proposte/{proposal.id}/sostieni").status_code for _ in range(2)] == [302, 422]
    # a second report answers as the first did (one report is stored)
    assert [client.post(f"/proposte/{proposal.id}/segnala", data={"reason": "Spam"}).status_code
            for _ in range(2)] == [302, 302]
    assert [client.post(f"/segui/proposta/{proposal.id}").status_code for _ in range(2)] == [302, 302]
    db_session.refresh(proposal)
    assert proposal.supports_count == 1
    assert db_session.scalar(sa.select(sa.func.count(Support.id)).filter_by(user_id=user.id)) == 1
    assert db_session.scalar(sa.select(sa.func.count(Report.id)).filter_by(reporter_id=user.id)) == 1
    assert db_session.scalar(sa.select(sa.func.count(Follow.id)).filter_by(user_id=user.id)) == 1
