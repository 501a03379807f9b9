"""The comments section other domains' pages show (core/sections.py): the thread of a public
proposal or of a project, its target read from the thread itself."""
from civiclab.core.sections import sections_of
from civiclab.proposals.models import ProposalState


def test_a_public_proposal_shows_its_thread_and_one_under_review_none(app, db_session, make_proposal, proposal):
    under_review = make_proposal(call=proposal.call, state=ProposalState.SUBMITTED)

    with app.test_request_context(f"/proposte/{proposal.id}?ordine_commenti=newest"):
        thread = sections_of("proposal", proposal).comments
        assert sections_of("proposal", under_review).comments is None

        assert (thread.target, thread.kind.column, thread.kind.takes_stance) == (proposal, "proposal_id", True)
        assert thread.sort == "newest"
        assert thread.list_url(page=2) == f"/proposte/{proposal.id}?ordine_commenti=newest&pagina_commenti=2#commenti"


def test_a_project_shows_its_thread(app, db_session, project, say, make_user):
    say(make_user(), "Quando iniziano i lavori?", project=project)

    with app.test_request_context(f"/progetti/{project.code}"):
        thread = sections_of("project", project).comments

    assert (thread.target, thread.kind.column, thread.kind.takes_stance) == (project, "project_id", False)
    assert thread.visible_total == 1
