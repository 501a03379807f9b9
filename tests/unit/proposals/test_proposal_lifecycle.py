"""The proposal's state machine and supports, straight through the services."""
import pytest

from civiclab.core.errors import DomainError, NotAllowed
from civiclab.proposals import services
from civiclab.proposals.models import ProposalState, ProposalTransition


def test_change_requested_edited_resubmitted_then_accepted(in_request, db_session, make_call, make_user,
                                                           make_facilitator, make_lab):
    lab = make_lab()
    call = make_call(lab=lab)
    facilitator = make_facilitator(lab)
    author = make_user()
    proposal = services.create_proposal(author, call, submit=True, title="Orti in cortile",
                                        body="Un orto **condiviso**.")
    assert proposal.state is ProposalState.SUBMITTED
    services.moderate_proposal(facilitator, proposal, ProposalState.CHANGES_REQUESTED, "Indica il luogo.")
    services.update_proposal(author, proposal, title="Orti in cortile", body="Un orto.", place="Via Libia")
    services.submit_proposal(author, proposal)
    services.moderate_proposal(facilitator, proposal, ProposalState.ACCEPTED, "Chiara e fattibile.")
    db_session.commit()
    history = [(t.from_state, t.to_state, t.reason) for t in proposal.transitions]
    assert history == [
        ("draft", "submitted", ""),
        ("submitted", "changes_requested", "Indica il luogo."),
        ("changes_requested", "submitted", ""),
        ("submitted", "accepted", "Chiara e fattibile."),
    ]
    assert proposal.is_public and proposal.published_at is not None


def test_moderation_needs_a_reason(in_request, make_call, make_proposal, make_facilitator, make_lab):
    lab = make_lab()
    proposal = make_proposal(call=make_call(lab=lab), state=ProposalState.SUBMITTED)
    with pytest.raises(DomainError) as error:
        services.moderate_proposal(make_facilitator(lab), proposal, ProposalState.ACCEPTED, "  ")
    assert error.value.field == "reason"
    assert proposal.state is ProposalState.SUBMITTED


def test_facilitator_of_another_lab_may_not_moderate(in_request, make_call, make_proposal, make_facilitator,
                                                      make_lab):
    proposal = make_proposal(call=make_call(lab=make_lab()), state=ProposalState.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.moderate_proposal(make_facilitator(make_lab()), proposal, ProposalState.ACCEPTED, "Ok")


def test_supporting_twice_and_outside_the_phase_are_refused(in_request, db_session, make_call, make_proposal,
                                                             make_user):
    supporter = make_user()
    proposal = make_proposal(call=make_call(phase="supports"))
    services.support(supporter, proposal)
    with pytest.raises(DomainError, match="già"):
        services.support(supporter, proposal)
    assert proposal.supports_count == 1
    services.withdraw_support(supporter, proposal)
    assert proposal.supports_count == 0
    early = make_proposal(call=make_call(phase="proposals"))
    with pytest.raises(DomainError):
        services.support(supporter, early)


def test_someone_else_may_not_edit(in_request, make_proposal, make_user):
    proposal = make_proposal(state=ProposalState.DRAFT)
    with pytest.raises(NotAllowed):
        services.update_proposal(make_user(), proposal, title="Mio", body="Mio")


def test_illegal_transition_is_refused(in_request, make_call, make_proposal, make_facilitator, make_lab):
    lab = make_lab()
    proposal = make_proposal(call=make_call(lab=lab), state=ProposalState.REJECTED)
    with pytest.raises(DomainError):
        services.moderate_proposal(make_facilitator(lab), proposal, ProposalState.ACCEPTED, "Ci ho ripensato")
    assert ProposalTransition.query.count() == 0
