"""Reports: the third reporter hides content pending review; a moderator restores or upholds."""

from civiclab.moderation import services
from civiclab.moderation.models import ModerationAction


def test_three_reporters_hide_a_proposal_until_a_moderator_rejects_the_reports(
        in_request, db_session, make_call, make_proposal, make_user, make_facilitator, make_lab):
    lab = make_lab()
    proposal = make_proposal(call=make_call(lab=lab))
    reporters = [make_user() for _ in range(3)]
    first = services.report(reporters[0], proposal, "Spam")
    assert services.report(reporters[0], proposal, "Spam di nuovo") is first  # one report per person
    services.report(reporters[1], proposal, "Spam")
    assert proposal.is_public
    services.report(reporters[2], proposal, "Spam")
    assert not proposal.is_public
    services.resolve_reports(make_facilitator(lab), proposal, upheld=False, reason="Non è spam")
    db_session.commit()
    assert proposal.is_public
    assert [entry.action for entry in db_session.query(ModerationAction).order_by(ModerationAction.id)] == [
        "auto_hide", "reports_rejected"]
