"""The reports I filed and the blocks on me, in "I miei dati" (/account/i-miei-dati.json)."""
import json
from datetime import timedelta

from civiclab.accounts.blocks import UserBlock
from civiclab.comments.models import Comment
from civiclab.core.time import utcnow
from civiclab.moderation import personal_data
from civiclab.moderation.models import Report
from tests.conftest import login


def _export(client, user):
    login(client, user)
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    return json.loads(response.data)


def test_the_export_holds_the_reports_i_filed_and_how_they_ended(client, db_session, make_user,
                                                                  make_proposal, call, facilitator):
    giulia, other = make_user(), make_user()
    proposal = make_proposal(call=call)
    comment = Comment(proposal_id=proposal.id, author_id=other.id, body="Offensivo.")
    db_session.add(comment)
    db_session.commit()
    db_session.add_all([
        Report(proposal_id=proposal.id, reporter_id=giulia.id, reason="È pubblicità."),
        Report(comment_id=comment.id, reporter_id=giulia.id, reason="Insulta un vicino.", resolved_at=utcnow(),
               resolved_by_id=facilitator.id, upheld=True),
        Report(comment_id=comment.id, reporter_id=other.id, reason="La segnalazione di un altro."),
    ])
    db_session.commit()

    reports = _export(client, giulia)["reports"]

    assert [(r["subject"], r["reason"], r["upheld"]) for r in reports] == [
        ({"proposal_id": proposal.id}, "È pubblicità.", None),
        ({"comment_id": comment.id}, "Insulta un vicino.", True)]
    assert reports[0]["resolved_at"] is None and reports[1]["resolved_at"]
    assert "La segnalazione di un altro." not in json.dumps(reports)


def test_the_export_holds_the_blocks_on_me_with_their_reasons_and_dates(client, db_session, make_user,
                                                                        facilitator):
    giulia, other = make_user(), make_user()
    now = utcnow()
    db_session.add_all([
        UserBlock(user_id=giulia.id, blocked_by_id=facilitator.id, reason="Spam ripetuto.",
                  created_at=now - timedelta(days=30), ends_at=now - timedelta(days=23)),
        UserBlock(user_id=giulia.id, blocked_by_id=facilitator.id, reason="Insulti.", lifted_at=now),
        UserBlock(user_id=other.id, blocked_by_id=facilitator.id, reason="Il blocco di un altro."),
    ])
    db_session.commit()

    blocks = _export(client, giulia)["blocks"]

    assert [b["reason"] for b in blocks] == ["Spam ripetuto.", "Insulti."]
    assert blocks[0]["ends_at"] and blocks[0]["lifted_at"] is None
    assert blocks[1]["ends_at"] is None and blocks[1]["lifted_at"]
    assert all(b["created_at"] for b in blocks)
    assert "blocked_by" not in blocks[0]  # who blocked is the moderator's data, not mine


def test_each_moderation_section_takes_one_query(db_session, make_user, make_proposal, call, facilitator,
                                                 count_queries):
    giulia = make_user()
    for _n in range(3):
        db_session.add_all([Report(proposal_id=make_proposal(call=call).id, reporter_id=giulia.id, reason="No."),
                            UserBlock(user_id=giulia.id, blocked_by_id=facilitator.id, reason="No.")])
    db_session.commit()
    db_session.refresh(giulia)  # loaded, as current_user is

    for section in (personal_data.export_reports, personal_data.export_blocks):
        with count_queries() as queries:
            assert len(section(giulia)) == 3
        assert len(queries) == 1, queries
