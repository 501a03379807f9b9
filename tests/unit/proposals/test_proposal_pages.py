"""Proposals as their authors and the others see them: writing, editing, submitting, withdrawing,
supporting, reporting, the history, Le mie proposte; who sees what (404, never a leak)."""
from datetime import timedelta

import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.core.time import utcnow
from civiclab.moderation.models import Report
from civiclab.proposals.models import Proposal, ProposalState, ProposalTransition, Support
from tests.conftest import login, text_of


def proposal_form(call, **changes):
    data = {"title": "Orti condivisi", "body": "Un orto **condiviso** nel cortile.",
            "theme_id": str(call.themes[0].id), "lab_id": "0", "place": "Via Libia 12"}
    data.update(changes)
    return data


def only_proposal(db_session):
    return db_session.scalars(sa.select(Proposal)).one()


# ---- writing -------------------------------------------------------------------------------

def test_save_a_draft_then_submit_it_from_its_page(client, db_session, make_call, make_user):
    call = make_call()
    author = make_user()
    login(client, author)
    form = client.get(f"/call/{call.id}/proponi")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'value="Salva bozza"' in html and 'value="Invia ai facilitatori"' in html
    assert "similar-proposals.js" in html and 'enctype="multipart/form-data"' in html
    response = client.post(f"/call/{call.id}/proponi", data={**proposal_form(call), "save": "Salva bozza"})
    assert response.status_code == 302
    proposal = only_proposal(db_session)
    assert proposal.state is ProposalState.DRAFT and proposal.author_id == author.id
    assert proposal.place == "Via Libia 12" and "<strong>condiviso</strong>" in proposal.body_html
    page = text_of(client.get(f"/proposte/{proposal.id}"))
    assert "Bozza: la vedi solo tu" in page
    assert client.post(f"/proposte/{proposal.id}/invia").status_code == 302
    assert proposal.state is ProposalState.SUBMITTED


def test_send_at_once(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    response = client.post(f"/call/{call.id}/proponi",
                           data={**proposal_form(call), "send": "Invia ai facilitatori"})
    assert response.status_code == 302
    assert only_proposal(db_session).state is ProposalState.SUBMITTED


def test_a_bad_form_keeps_what_was_written(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    response = client.post(f"/call/{call.id}/proponi", data=proposal_form(call, title="", theme_id="999"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Il titolo è obbligatorio." in page and "Un orto **condiviso** nel cortile." in page
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_proposing_outside_the_proposals_phase_sends_back_to_the_call(client, make_call, make_user):
    call = make_call(phase="supports")
    login(client, make_user())
    response = client.get(f"/call/{call.id}/proponi")
    assert response.status_code == 302 and response.headers["Location"] == f"/call/{call.id}"
    response = client.post(f"/call/{call.id}/proponi", data=proposal_form(call), follow_redirects=True)
    assert "La call non accetta proposte in questa fase" in text_of(response)


def test_an_unconfirmed_account_may_not_propose(client, make_call, make_user):
    call = make_call()
    login(client, make_user(confirmed=False))
    assert client.get(f"/call/{call.id}/proponi").status_code == 403
    assert client.post(f"/call/{call.id}/proponi", data=proposal_form(call)).status_code == 403


def test_a_blocked_user_reads_the_blocks_message(client, db_session, make_call, make_user, make_proposal):
    call = make_call()
    user = make_user()
    draft = make_proposal(call=call, author=user, state=ProposalState.DRAFT)
    db_session.add(UserBlock(user=user, reason="Messaggi offensivi", ends_at=utcnow() + timedelta(days=3)))
    db_session.commit()
    login(client, user)
    for response in (client.get(f"/call/{call.id}/proponi"),
                     client.post(f"/call/{call.id}/proponi", data=proposal_form(call)),
                     client.post(f"/proposte/{draft.id}/modifica", data=proposal_form(call)),
                     client.post(f"/proposte/{draft.id}/invia")):
        assert response.status_code == 403
        page = text_of(response)
        assert "Il tuo account è bloccato fino al" in page and "Messaggi offensivi" in page
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == 1
    assert draft.state is ProposalState.DRAFT


# ---- editing -------------------------------------------------------------------------------

def test_the_author_edits_after_a_change_request_and_resubmits(client, make_call, make_proposal, make_user):
    call = make_call(phase="review")
    author = make_user()
    proposal = make_proposal(call=call, author=author, state=ProposalState.CHANGES_REQUESTED)
    login(client, author)
    assert client.get(f"/proposte/{proposal.id}/modifica").status_code == 200
    response = client.post(f"/proposte/{proposal.id}/modifica",
                           data={**proposal_form(call, title="Orti, con il luogo"), "send": "Invia"})
    assert response.status_code == 302
    assert proposal.title == "Orti, con il luogo" and proposal.state is ProposalState.SUBMITTED


def test_a_proposal_no_longer_editable_sends_back_to_its_page(client, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author=author, state=ProposalState.SUBMITTED)
    login(client, author)
    response = client.get(f"/proposte/{proposal.id}/modifica")
    assert response.status_code == 302
    response = client.post(f"/proposte/{proposal.id}/modifica", data=proposal_form(proposal.call),
                           follow_redirects=True)
    assert "non si può più modificare" in text_of(response)
    assert proposal.title != "Orti condivisi"


def test_editing_someone_elses_proposal_is_refused(client, make_proposal, make_user):
    proposal = make_proposal(title="Di Giulia")
    login(client, make_user())
    assert client.get(f"/proposte/{proposal.id}/modifica").status_code == 403
    assert client.post(f"/proposte/{proposal.id}/modifica", data=proposal_form(proposal.call)).status_code == 403
    assert client.post(f"/proposte/{proposal.id}/invia").status_code == 403
    assert proposal.title == "Di Giulia"


def test_drafts_do_not_exist_for_anybody_else(client, make_proposal, make_user, make_staff, make_facilitator,
                                              make_lab, make_call):
    lab = make_lab()
    draft = make_proposal(call=make_call(lab=lab), state=ProposalState.DRAFT)
    for viewer in (None, make_user(), make_facilitator(lab), make_staff(lab.city), make_user(is_admin=True)):
        if viewer is not None:
            login(client, viewer)
        for url in (f"/proposte/{draft.id}", f"/proposte/{draft.id}/modifica"):
            response = client.get(url)
            assert response.status_code in ((404,) if viewer else (302, 404)), (viewer, url)
        if viewer is not None:
            assert client.post(f"/proposte/{draft.id}/invia").status_code == 404


def test_a_submitted_proposal_is_seen_by_its_author_and_moderators_only(client, make_proposal, make_user,
                                                                        make_facilitator, make_lab, make_call):
    lab = make_lab()
    author = make_user()
    proposal = make_proposal(call=make_call(lab=lab), author=author, state=ProposalState.SUBMITTED)
    assert client.get(f"/proposte/{proposal.id}").status_code == 404
    login(client, make_user())
    assert client.get(f"/proposte/{proposal.id}").status_code == 404
    login(client, make_facilitator(make_lab()))
    assert client.get(f"/proposte/{proposal.id}").status_code == 404
    login(client, make_facilitator(lab))
    assert client.get(f"/proposte/{proposal.id}").status_code == 200
    login(client, author)
    assert "In valutazione" in text_of(client.get(f"/proposte/{proposal.id}"))


def test_absurd_proposal_ids_are_not_found(client, make_user):
    login(client, make_user())
    for url in ("/proposte/0", "/proposte/99999999999999999999", "/proposte/2147483648/modifica",
                "/proposte/424242"):
        assert client.get(url).status_code == 404


# ---- the page: history, supports, reports ------------------------------------------------

def test_history_is_shown_to_the_author_and_moderators(client, db_session, make_call, make_proposal, make_user,
                                                       make_facilitator, make_lab):
    lab = make_lab()
    author, facilitator = make_user(), make_facilitator(lab, display_name="Marta Facilitatrice")
    proposal = make_proposal(call=make_call(lab=lab), author=author)
    db_session.add(ProposalTransition(proposal_id=proposal.id, actor_id=facilitator.id, from_state="submitted",
                                      to_state="accepted", reason="Chiara e fattibile."))
    db_session.commit()
    for viewer, sees in ((None, False), (make_user(), False), (author, True), (facilitator, True)):
        if viewer is not None:
            login(client, viewer)
        page = text_of(client.get(f"/proposte/{proposal.id}"))
        assert ("Chiara e fattibile." in page) is sees
        if sees:
            assert "In valutazione → Pubblicata (Marta Facilitatrice)" in page


def test_supporting_through_the_page(client, make_call, make_proposal, make_user):
    proposal = make_proposal(call=make_call(phase="supports"))
    supporter = make_user()
    page = text_of(client.get(f"/proposte/{proposal.id}"))
    assert "Accedi per sostenere questa proposta." in page and "Sostegni aperti fino a " in page
    login(client, supporter)
    assert "Sostieni" in text_of(client.get(f"/proposte/{proposal.id}"))
    assert client.post(f"/proposte/{proposal.id}/sostieni").status_code == 302
    assert proposal.supports_count == 1
    assert "Ritira il sostegno" in text_of(client.get(f"/proposte/{proposal.id}"))
    twice = client.post(f"/proposte/{proposal.id}/sostieni")
    assert twice.status_code == 422 and "Hai già sostenuto questa proposta." in text_of(twice)
    assert proposal.supports_count == 1
    assert client.post(f"/proposte/{proposal.id}/ritira-sostegno").status_code == 302
    assert proposal.supports_count == 0
    again = client.post(f"/proposte/{proposal.id}/ritira-sostegno")
    assert again.status_code == 422 and "Non avevi sostenuto" in text_of(again)


def test_supporting_outside_the_phase_is_refused(client, db_session, make_call, make_proposal, make_user):
    proposal = make_proposal(call=make_call(phase="proposals"))
    page = text_of(client.get(f"/proposte/{proposal.id}"))
    assert "I sostegni si aprono " in page
    login(client, make_user())
    response = client.post(f"/proposte/{proposal.id}/sostieni")
    assert response.status_code == 422 and "I sostegni non sono aperti in questa fase" in text_of(response)
    assert db_session.scalar(sa.select(sa.func.count(Support.id))) == 0
    closed = make_proposal(call=make_call(phase="closed"))
    assert "I sostegni si sono chiusi " in text_of(client.get(f"/proposte/{closed.id}"))
    assert client.post(f"/proposte/{closed.id}/sostieni").status_code == 422


def test_authors_do_not_support_their_own(client, make_call, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(call=make_call(phase="supports"), author=author)
    login(client, author)
    assert ">Sostieni<" not in client.get(f"/proposte/{proposal.id}").get_data(as_text=True)
    assert client.post(f"/proposte/{proposal.id}/sostieni").status_code == 422
    assert proposal.supports_count == 0


def test_supporting_an_unpublished_proposal_is_not_found(client, make_call, make_proposal, make_user):
    proposal = make_proposal(call=make_call(phase="supports"), state=ProposalState.SUBMITTED)
    login(client, make_user())
    assert client.post(f"/proposte/{proposal.id}/sostieni").status_code == 404


def test_reporting_a_proposal(client, db_session, make_proposal, make_user):
    proposal = make_proposal()
    login(client, make_user())
    empty = client.post(f"/proposte/{proposal.id}/segnala", data={"reason": " "})
    assert empty.status_code == 422 and "Scrivi il motivo della segnalazione." in text_of(empty)
    response = client.post(f"/proposte/{proposal.id}/segnala", data={"reason": "Pubblicità"},
                           follow_redirects=True)
    assert "Segnalazione ricevuta" in text_of(response)
    again = client.post(f"/proposte/{proposal.id}/segnala", data={"reason": "Ancora"}, follow_redirects=True)
    assert "Segnalazione ricevuta" in text_of(again)  # a double submission answers as the first did
    assert db_session.scalar(sa.select(sa.func.count(Report.id))) == 1


def test_only_confirmed_accounts_report(client, make_proposal, make_user):
    proposal = make_proposal()
    assert "Segnala la proposta" not in text_of(client.get(f"/proposte/{proposal.id}"))
    login(client, make_user(confirmed=False))
    assert "Segnala la proposta" not in text_of(client.get(f"/proposte/{proposal.id}"))
    assert client.post(f"/proposte/{proposal.id}/segnala", data={"reason": "Spam"}).status_code == 403


def test_the_page_has_a_spot_for_comments(client, make_proposal):
    import pathlib

    template = pathlib.Path(__file__).parents[3] / "templates" / "proposals" / "proposal.html"
    assert "{# comments #}" in template.read_text()
    assert client.get(f"/proposte/{make_proposal().id}").status_code == 200


# ---- withdrawing ---------------------------------------------------------------------------

def test_the_author_withdraws_a_published_proposal_with_a_reason(client, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author=author)
    login(client, author)
    assert "Ritira la proposta" in text_of(client.get(f"/proposte/{proposal.id}"))
    confirm = client.get(f"/proposte/{proposal.id}/ritira")
    assert confirm.status_code == 200 and "non si può disfare" in text_of(confirm)
    response = client.post(f"/proposte/{proposal.id}/ritira", data={"reason": "La realizziamo da soli."})
    assert response.status_code == 302
    assert proposal.state is ProposalState.WITHDRAWN
    assert proposal.transitions[-1].reason == "La realizziamo da soli."
    assert client.get(f"/proposte/{proposal.id}/ritira").status_code == 302  # nothing left to withdraw


def test_nobody_else_withdraws_it(client, make_proposal, make_user):
    proposal = make_proposal()
    login(client, make_user())
    assert client.post(f"/proposte/{proposal.id}/ritira", data={"reason": ""}).status_code == 403
    assert proposal.state is ProposalState.ACCEPTED


# ---- Le mie proposte -----------------------------------------------------------------------

def test_my_proposals_of_every_state_with_the_last_reason(client, db_session, make_proposal, make_user):
    author = make_user()
    draft = make_proposal(author=author, title="La mia bozza", state=ProposalState.DRAFT)
    asked = make_proposal(author=author, title="Da rivedere", state=ProposalState.CHANGES_REQUESTED)
    make_proposal(title="Di qualcun altro")
    db_session.add_all([
        ProposalTransition(proposal_id=asked.id, from_state="draft", to_state="submitted", reason=""),
        ProposalTransition(proposal_id=asked.id, from_state="submitted", to_state="changes_requested",
                           reason="Indica il luogo."),
    ])
    db_session.commit()
    login(client, author)
    page = text_of(client.get("/proposte/mie"))
    assert "La mia bozza" in page and "Bozza" in page
    assert "Da rivedere" in page and "Modifiche richieste" in page and "Ultimo motivo: Indica il luogo." in page
    assert "Di qualcun altro" not in page
    assert 'href="/proposte/mie"' in client.get("/").get_data(as_text=True)
    assert draft.id


def test_my_proposals_need_signing_in(client):
    assert client.get("/proposte/mie").status_code == 302
