"""One proposal at a time: the decision page shows the proposal and its history, and a decision
needs a reason, a legal transition, an open call and a moderator of the call."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.core.time import utcnow
from civiclab.proposals.models import Attachment, ProposalState, ProposalTransition
from tests.conftest import login, text_of


@pytest.fixture
def submitted(make_proposal, call, make_user):
    return make_proposal(call=call, author=make_user(display_name="Carla Cittadina"), title="Alberi nel cortile",
                         state=ProposalState.SUBMITTED,
                         body="Piantiamo **dieci** alberi.\n\n<script>alert(1)</script>")


def transitions_of(db_session, proposal):
    return db_session.scalars(sa.select(ProposalTransition).filter_by(proposal_id=proposal.id)
                              .order_by(ProposalTransition.id)).all()


def test_the_page_shows_the_proposal_as_written_its_attachments_history_and_the_allowed_decisions(
        client, db_session, facilitator, submitted):
    db_session.add_all([
        ProposalTransition(proposal_id=submitted.id, actor_id=submitted.author_id, from_state="draft",
                           to_state="submitted", created_at=utcnow() - timedelta(days=2)),
        Attachment(proposal_id=submitted.id, filename="pianta.pdf", stored_name="x1.pdf",
                   content_type="application/pdf", size=2048),
    ])
    db_session.commit()
    login(client, facilitator)

    response = client.get(f"/moderazione/proposte/{submitted.id}")

    assert response.status_code == 200
    assert "<strong>dieci</strong>" in response.text
    assert "<script>alert(1)" not in response.text
    text = text_of(response)
    assert "Carla Cittadina" in text
    assert "pianta.pdf" in text
    assert "Bozza → In valutazione" in text
    for label in ("Accetta e pubblica", "Chiedi modifiche all'autore", "Respingi"):
        assert label in text


def test_accepting_with_a_reason_records_it_and_goes_back_to_the_queue(client, db_session, facilitator, submitted):
    login(client, facilitator)

    response = client.post(f"/moderazione/proposte/{submitted.id}",
                           data={"decision": "accepted", "reason": "Chiara e fattibile."})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moderazione/proposte")
    db_session.refresh(submitted)
    assert submitted.state is ProposalState.ACCEPTED
    [step] = transitions_of(db_session, submitted)
    assert (step.actor_id, step.from_state, step.to_state, step.reason) == (
        facilitator.id, "submitted", "accepted", "Chiara e fattibile.")
    assert "Decisione registrata" in client.get("/moderazione/proposte").text


def test_asking_for_changes_is_shown_in_the_history(client, db_session, facilitator, submitted):
    login(client, facilitator)
    client.post(f"/moderazione/proposte/{submitted.id}",
                data={"decision": "changes_requested", "reason": "Indica il cortile."})

    page = text_of(client.get(f"/moderazione/proposte/{submitted.id}"))

    assert "In valutazione → Modifiche richieste" in page
    assert "Indica il cortile." in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_without_reason_is_refused_and_changes_nothing(client, db_session, facilitator, submitted,
                                                                   reason):
    login(client, facilitator)

    response = client.post(f"/moderazione/proposte/{submitted.id}", data={"decision": "rejected", "reason": reason})

    assert response.status_code == 422
    assert "Scrivi il motivo" in response.text
    db_session.refresh(submitted)
    assert submitted.state is ProposalState.SUBMITTED
    assert transitions_of(db_session, submitted) == []


def test_a_decision_must_be_chosen(client, db_session, facilitator, submitted):
    login(client, facilitator)

    response = client.post(f"/moderazione/proposte/{submitted.id}", data={"reason": "Perché sì"})

    assert response.status_code == 422
    assert "Scegli una decisione." in response.text


@pytest.mark.parametrize("decision", ["rejected", "changes_requested", "accepted"])
def test_an_illegal_transition_is_refused_with_its_message(client, db_session, facilitator, call, make_proposal,
                                                           decision):
    published = make_proposal(call=call, state=ProposalState.ACCEPTED)
    login(client, facilitator)

    page = client.get(f"/moderazione/proposte/{published.id}")
    response = client.post(f"/moderazione/proposte/{published.id}", data={"decision": decision, "reason": "Ci ho ripensato"})

    assert "non c’è nulla da decidere" in page.text
    assert response.status_code == 422
    assert "Una proposta «Pubblicata» non può diventare" in response.text
    db_session.refresh(published)
    assert published.state is ProposalState.ACCEPTED
    assert transitions_of(db_session, published) == []


def test_a_decision_that_is_not_a_moderator_s_is_refused(client, db_session, facilitator, submitted):
    login(client, facilitator)

    for decision in ("withdrawn", "adopted", "nonsense"):
        response = client.post(f"/moderazione/proposte/{submitted.id}", data={"decision": decision, "reason": "x"})
        assert response.status_code == 422
        assert "Decisione non valida." in response.text
    db_session.refresh(submitted)
    assert submitted.state is ProposalState.SUBMITTED


def test_proposals_of_a_closed_call_are_no_longer_moderated(client, db_session, make_call, make_proposal, lab,
                                                            facilitator):
    closed = make_proposal(call=make_call(lab=lab, phase="closed"), state=ProposalState.SUBMITTED)
    login(client, facilitator)

    page = client.get(f"/moderazione/proposte/{closed.id}")
    response = client.post(f"/moderazione/proposte/{closed.id}", data={"decision": "accepted", "reason": "Ok"})

    assert "La call è chiusa" in page.text
    assert response.status_code == 422
    assert "La call è chiusa" in response.text
    db_session.refresh(closed)
    assert closed.state is ProposalState.SUBMITTED


def test_a_facilitator_of_another_lab_may_not_moderate(client, db_session, outsider, submitted):
    login(client, outsider)

    assert client.get(f"/moderazione/proposte/{submitted.id}").status_code == 403
    response = client.post(f"/moderazione/proposte/{submitted.id}", data={"decision": "accepted", "reason": "Sì"})

    assert response.status_code == 403
    db_session.refresh(submitted)
    assert submitted.state is ProposalState.SUBMITTED


def test_the_author_and_participants_may_not_moderate(client, db_session, submitted, make_user):
    for user in (submitted.author, make_user()):
        login(client, user)
        assert client.post(f"/moderazione/proposte/{submitted.id}",
                           data={"decision": "accepted", "reason": "Sì"}).status_code == 403
    db_session.refresh(submitted)
    assert submitted.state is ProposalState.SUBMITTED


def test_drafts_and_absurd_ids_do_not_exist(client, facilitator, call, make_proposal):
    draft = make_proposal(call=call, state=ProposalState.DRAFT)
    login(client, facilitator)

    assert client.get(f"/moderazione/proposte/{draft.id}").status_code == 404
    assert client.get("/moderazione/proposte/999999").status_code == 404
    assert client.get("/moderazione/proposte/99999999999999999999").status_code == 404


def test_staff_of_the_city_moderate_a_call_without_a_lab(client, db_session, make_call, make_project, make_staff,
                                                         make_facilitator, make_lab, make_proposal, lab):
    city_call = make_call(project=make_project(city=lab.city))
    proposal = make_proposal(call=city_call, state=ProposalState.SUBMITTED)
    sister_facilitator = make_facilitator(make_lab(city=lab.city))
    login(client, sister_facilitator)

    response = client.post(f"/moderazione/proposte/{proposal.id}", data={"decision": "rejected", "reason": "Fuori tema"})

    assert response.status_code == 302
    db_session.refresh(proposal)
    assert proposal.state is ProposalState.REJECTED
