"""Calls "solo con SPID/CIE": proposing and supporting may each need a verified identity. The rule
is the services' (a page and the API refuse alike); the pages say so before anybody tries, staff
set it on the call sheet, and each change leaves an entry in the audit log."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.identity_rule import IdentityRequired
from civiclab.core.errors import DomainError
from civiclab.core.time import utcnow
from civiclab.proposals import services
from civiclab.proposals.models import Call, Proposal, ProposalState, Support
from tests.conftest import login, text_of

NEEDED = ("Per questa azione serve un'identità verificata: accedi con SPID o CIE, o collega la tua "
          "identità dal profilo.")


def proposal_form(call, **changes):
    return {"title": "Orti condivisi", "body": "Un orto nel cortile.", "theme_id": str(call.themes[0].id),
            "lab_id": "0", "place": "", **changes}


def proposals_of(db_session, call):
    return list(db_session.scalars(sa.select(Proposal).where(Proposal.call_id == call.id)))




# ---- proposing ---------------------------------------------------------------------------------

def test_an_account_without_identity_is_told_why_instead_of_a_propose_button(client, make_call, make_user):
    call = make_call(proposals_require_identity=True)
    login(client, make_user())
    page = client.get(f"/call/{call.id}")
    html = page.get_data(as_text=True)
    assert "Solo con SPID/CIE" in text_of(page)
    assert "Per proporre in questa call serve un’identità verificata" in text_of(page)
    assert 'href="/account/profilo"' in html
    assert f'href="/call/{call.id}/proponi"' not in html


def test_an_account_without_identity_cannot_propose_on_the_page(client, db_session, make_call, make_user):
    call = make_call(proposals_require_identity=True)
    login(client, make_user())
    form = client.get(f"/call/{call.id}/proponi")
    assert form.status_code == 302 and form.headers["Location"] == f"/call/{call.id}"
    assert NEEDED in text_of(client.get(f"/call/{call.id}"))  # the flash
    response = client.post(f"/call/{call.id}/proponi", data={**proposal_form(call), "send": "Invia"})
    assert response.status_code == 302
    assert NEEDED in text_of(client.get(f"/call/{call.id}"))
    assert proposals_of(db_session, call) == []


def test_the_service_refuses_a_proposal_without_identity(in_request, make_call, make_user):
    call = make_call(proposals_require_identity=True)
    with pytest.raises(IdentityRequired) as refused:
        services.create_proposal(make_user(), call, title="Orti", body="Un orto.", submit=True)
    assert str(refused.value.message) == NEEDED


def test_an_account_with_identity_proposes(client, db_session, make_call, make_verified_user):
    call = make_call(proposals_require_identity=True)
    login(client, make_verified_user())
    page = client.get(f"/call/{call.id}").get_data(as_text=True)
    assert f'href="/call/{call.id}/proponi"' in page and "cl-identity-needed" not in page
    assert client.get(f"/call/{call.id}/proponi").status_code == 200
    response = client.post(f"/call/{call.id}/proponi", data={**proposal_form(call), "send": "Invia"})
    assert response.status_code == 302
    [proposal] = proposals_of(db_session, call)
    assert proposal.state is ProposalState.SUBMITTED


def test_a_call_that_requires_nothing_lets_everybody_propose(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    page = client.get(f"/call/{call.id}")
    assert "Solo con SPID/CIE" not in text_of(page)
    response = client.post(f"/call/{call.id}/proponi", data={**proposal_form(call), "send": "Invia"})
    assert response.status_code == 302 and len(proposals_of(db_session, call)) == 1


def test_a_draft_written_before_the_requirement_is_not_sent_without_identity(
        client, db_session, make_call, make_proposal, make_user):
    call = make_call()
    author = make_user()
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT)
    call.proposals_require_identity = True
    db_session.commit()
    login(client, author)
    page = client.get(f"/proposte/{draft.id}").get_data(as_text=True)
    assert f'action="/proposte/{draft.id}/invia"' not in page and "cl-identity-needed" in page
    edit = client.get(f"/proposte/{draft.id}/modifica").get_data(as_text=True)
    assert 'value="Invia ai facilitatori"' not in edit and 'value="Salva bozza"' in edit
    response = client.post(f"/proposte/{draft.id}/invia")
    assert response.status_code == 422 and NEEDED in text_of(response)
    db_session.refresh(draft)
    assert draft.state is ProposalState.DRAFT


def test_a_proposal_sent_again_after_changes_needs_no_new_identity(
        in_request, db_session, make_call, make_proposal, make_user):
    call = make_call(proposals_require_identity=True)
    author = make_user()
    proposal = make_proposal(call=call, author=author, state=ProposalState.CHANGES_REQUESTED)
    services.submit_proposal(author, proposal)
    assert proposal.state is ProposalState.SUBMITTED


def test_the_other_rules_come_first(client, db_session, make_call, make_user, in_request):
    """A visitor is asked to sign in, an unconfirmed account to confirm, a closed call says so."""
    call = make_call(proposals_require_identity=True)
    assert client.get(f"/call/{call.id}/proponi").headers["Location"].startswith("/account/accedi")
    login(client, make_user(confirmed=False))
    assert client.post(f"/call/{call.id}/proponi", data=proposal_form(call)).status_code == 403
    closed = make_call(phase="closed", proposals_require_identity=True)
    with pytest.raises(DomainError) as refused:
        services.create_proposal(make_user(), closed, title="Orti", body="Un orto.")
    assert not isinstance(refused.value, IdentityRequired)
    assert "non accetta proposte" in str(refused.value.message)


def test_a_visitor_sees_the_badge_and_that_signing_in_with_spid_is_needed(client, make_call):
    call = make_call(proposals_require_identity=True)
    page = text_of(client.get(f"/call/{call.id}"))
    assert "Solo con SPID/CIE" in page and "Accedi con SPID o CIE per proporre." in page


# ---- supporting --------------------------------------------------------------------------------

@pytest.fixture
def supportable(make_call, make_proposal):
    return make_proposal(call=make_call(phase="supports", supports_require_identity=True))


def supports_of(db_session, proposal):
    return db_session.scalar(sa.select(sa.func.count(Support.id)).where(Support.proposal_id == proposal.id))


def test_an_account_without_identity_cannot_support(client, db_session, supportable, make_user):
    login(client, make_user())
    page = client.get(f"/proposte/{supportable.id}").get_data(as_text=True)
    assert f'action="/proposte/{supportable.id}/sostieni"' not in page
    assert "Per sostenere le proposte di questa call serve un’identità verificata" in page
    assert 'href="/account/profilo"' in page
    response = client.post(f"/proposte/{supportable.id}/sostieni")
    assert response.status_code == 422 and NEEDED in text_of(response)
    assert supports_of(db_session, supportable) == 0


def test_an_account_with_identity_supports(client, db_session, supportable, make_verified_user):
    login(client, make_verified_user(kind="cie"))
    page = client.get(f"/proposte/{supportable.id}").get_data(as_text=True)
    assert f'action="/proposte/{supportable.id}/sostieni"' in page
    assert client.post(f"/proposte/{supportable.id}/sostieni").status_code == 302
    assert supports_of(db_session, supportable) == 1


def test_a_support_given_before_the_requirement_can_still_be_withdrawn(
        client, db_session, make_call, make_proposal, make_user):
    proposal = make_proposal(call=make_call(phase="supports"))
    fan = make_user()
    login(client, fan)
    assert client.post(f"/proposte/{proposal.id}/sostieni").status_code == 302
    proposal.call.supports_require_identity = True
    db_session.commit()
    assert client.post(f"/proposte/{proposal.id}/ritira-sostegno").status_code == 302
    assert supports_of(db_session, proposal) == 0


def test_proposing_and_supporting_are_required_separately(client, db_session, make_call, make_proposal, make_user):
    """A call may ask for an identity to support but not to propose (or the other way)."""
    call = make_call(phase="proposals", supports_require_identity=True)
    login(client, make_user())
    assert client.post(f"/call/{call.id}/proponi", data={**proposal_form(call), "send": "Invia"}).status_code == 302
    assert "Per sostenere le proposte di questa call serve" in text_of(client.get(f"/call/{call.id}"))


# ---- staff set it --------------------------------------------------------------------------------

def call_form(project, **changes):
    return {"title": "Idee per i cortili", "description": "", "project_id": str(project.id), "lab_id": "0",
            "themes": "Verde", "proposals_date": "01/03/2031", "proposals_time": "09:00",
            "review_date": "2031-04-01", "review_time": "", "supports_date": "15/04/2031", "supports_time": "",
            "closes_date": "15/05/2031", "closes_time": "18:00", **changes}


def test_staff_set_and_unset_the_requirements_on_the_call_sheet(
        client, db_session, make_project, make_staff, identity_requirement_audits):
    project = make_project()
    staff = make_staff(project.city)
    login(client, staff)
    sheet = client.get(f"/gestione/citta/{project.city.slug}/call/nuova").get_data(as_text=True)
    assert "Solo con SPID/CIE: per proporre" in sheet and "Solo con SPID/CIE: per sostenere" in sheet
    response = client.post(f"/gestione/citta/{project.city.slug}/call/nuova",
                           data=call_form(project, proposals_require_identity="y"))
    assert response.status_code == 302
    call = db_session.scalar(sa.select(Call).filter_by(title="Idee per i cortili"))
    assert (call.proposals_require_identity, call.supports_require_identity) == (True, False)
    assert identity_requirement_audits == [("call.identity_requirement_changed", "calls", call.id, project.city_id,
                              {"proposals": True, "supports": False})]

    edit = client.get(f"/call/{call.id}/modifica").get_data(as_text=True)
    assert _checked(edit, "proposals_require_identity")
    assert not _checked(edit, "supports_require_identity")

    assert client.post(f"/call/{call.id}/modifica", data=call_form(project, supports_require_identity="y")
                       ).status_code == 302
    db_session.refresh(call)
    assert (call.proposals_require_identity, call.supports_require_identity) == (False, True)
    assert identity_requirement_audits[-1] == ("call.identity_requirement_changed", "calls", call.id, project.city_id,
                                 {"proposals": False, "supports": True})

    # saving the sheet without changing them leaves no entry
    assert client.post(f"/call/{call.id}/modifica", data=call_form(project, supports_require_identity="y",
                                                                  title="Idee nuove")).status_code == 302
    assert len(identity_requirement_audits) == 2


def _checked(html, name):
    """Whether the checkbox named `name` is drawn checked."""
    tag = re.search(r'<input[^>]*name="' + name + r'"[^>]*>', html)
    assert tag, f"no {name} checkbox"
    return "checked" in tag.group(0)


def test_a_new_call_requiring_nothing_leaves_no_entry(in_request, make_project, make_staff, identity_requirement_audits):
    project = make_project()
    now = utcnow()
    services.create_call(make_staff(project.city), city=project.city, project=project, title="Senza",
                         proposals_from=now, review_from=now + timedelta(days=1),
                         supports_from=now + timedelta(days=2), closes_at=now + timedelta(days=3))
    assert identity_requirement_audits == []


# ---- badges --------------------------------------------------------------------------------------

def test_the_badge_shows_on_the_list_card_of_a_call_that_requires_an_identity(client, make_call):
    required = make_call(title="Con SPID", supports_require_identity=True)
    make_call(title="Per tutti", project=required.project)
    html = client.get("/call").get_data(as_text=True)
    cards = {title: html[html.index(title):html.index("</article>", html.index(title))]
             for title in ("Con SPID", "Per tutti")}
    assert "Solo con SPID/CIE" in cards["Con SPID"] and "Solo con SPID/CIE" not in cards["Per tutti"]


# ---- one person, one support: an identity moved to another account supports no second time -------


def test_an_identity_unlinked_and_relinked_to_another_account_cannot_support_again(
        app, db_session, make_call, make_proposal, make_user, spid_person):
    from civiclab.accounts import identity_services
    from tests.fixtures.factories import DEMO_PASSWORD

    proposal = make_proposal(call=make_call(phase="supports", supports_require_identity=True))
    person = spid_person
    first, second = make_user(), make_user()
    with app.test_request_context():
        identity_services.link_identity(first, person)
        services.support(first, proposal)
        identity_services.unlink_identity(first, DEMO_PASSWORD)
        identity_services.link_identity(second, person)  # the same fiscal number, another account
        with pytest.raises(DomainError, match="ha già sostenuto la proposta con un altro account"):
            services.support(second, proposal)
        db_session.commit()
    supports = db_session.scalar(sa.select(sa.func.count(Support.id)).where(Support.proposal_id == proposal.id))
    assert supports == 1
    assert db_session.get(Proposal, proposal.id).supports_count == 1


def test_a_withdrawn_support_frees_the_identity_for_its_new_account(
        app, db_session, make_call, make_proposal, make_user, spid_person):
    from civiclab.accounts import identity_services
    from tests.fixtures.factories import DEMO_PASSWORD

    proposal = make_proposal(call=make_call(phase="supports", supports_require_identity=True))
    person = spid_person
    first, second = make_user(), make_user()
    with app.test_request_context():
        identity_services.link_identity(first, person)
        services.support(first, proposal)
        services.withdraw_support(first, proposal)
        identity_services.unlink_identity(first, DEMO_PASSWORD)
        identity_services.link_identity(second, person)
        services.support(second, proposal)
        db_session.commit()
    assert db_session.get(Proposal, proposal.id).supports_count == 1
