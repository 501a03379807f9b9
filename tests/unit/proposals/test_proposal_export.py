"""The proposals, attachments and supports of "I miei dati" (/account/i-miei-dati.json)."""
import json

import pytest

from civiclab.proposals import personal_data
from civiclab.proposals.models import Attachment, ProposalState, ProposalTransition, Support
from tests.conftest import login


def _export(client, user):
    login(client, user)
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    return json.loads(response.data)


@pytest.fixture
def giulia(make_user):
    return make_user(display_name="Giulia Verdi")


def test_the_export_holds_my_proposals_with_their_history(client, db_session, make_call, make_proposal,
                                                          make_user, giulia):
    call = make_call(title="Idee per il quartiere Navile")
    moderator = make_user()
    mine = make_proposal(call=call, author=giulia, title="Un orto nel cortile", body="Piantiamo **zucchine**.",
                         place="Scuola Testoni", theme=call.themes[0])
    db_session.add_all([
        ProposalTransition(proposal_id=mine.id, actor_id=giulia.id, from_state="draft", to_state="submitted"),
        ProposalTransition(proposal_id=mine.id, actor_id=moderator.id, from_state="submitted",
                           to_state="accepted", reason="Chiara e fattibile."),
        Attachment(proposal_id=mine.id, filename="pianta.pdf", stored_name="x1.pdf",
                   content_type="application/pdf", size=1234),
    ])
    make_proposal(call=call, author=giulia, title="Ancora una bozza", state=ProposalState.DRAFT)
    others = make_proposal(call=call, title="La proposta di un altro", body="Testo altrui.")
    db_session.add(Attachment(proposal_id=others.id, filename="altrui.pdf", stored_name="x2.pdf",
                              content_type="application/pdf", size=99))
    db_session.commit()

    data = _export(client, giulia)

    assert [p["title"] for p in data["proposals"]] == ["Un orto nel cortile", "Ancora una bozza"]
    orto, bozza = data["proposals"]
    assert orto["call"] == "Idee per il quartiere Navile" and orto["body"] == "Piantiamo **zucchine**."
    assert (orto["state"], orto["theme"], orto["place"]) == ("accepted", "Verde", "Scuola Testoni")
    assert orto["published_at"] and orto["created_at"] and orto["submitted_at"]
    assert [(t["from"], t["to"], t["reason"], t["by_you"]) for t in orto["transitions"]] == [
        ("draft", "submitted", "", True), ("submitted", "accepted", "Chiara e fattibile.", False)]
    assert bozza["state"] == "draft" and bozza["published_at"] is None and bozza["transitions"] == []
    assert [(a["proposal_id"], a["filename"]) for a in data["proposal_attachments"]] == [(mine.id, "pianta.pdf")]
    assert "Testo altrui." not in json.dumps(data) and "altrui.pdf" not in json.dumps(data)


def test_the_export_holds_the_proposals_i_support_and_not_others_supports(
        client, db_session, make_call, make_proposal, make_user, giulia):
    call = make_call(phase="supports")
    supported = make_proposal(call=call, title="Panchine nuove")
    hidden = make_proposal(call=call, title="Titolo ora nascosto")
    not_mine = make_proposal(call=call, title="Sostenuta da altri")
    someone = make_user()
    db_session.add_all([Support(proposal_id=supported.id, user_id=giulia.id),
                        Support(proposal_id=hidden.id, user_id=giulia.id),
                        Support(proposal_id=not_mine.id, user_id=someone.id)])
    db_session.commit()
    from civiclab.core.time import utcnow
    hidden.hidden_at = utcnow()  # hidden pending review after it was supported
    db_session.commit()

    supports = _export(client, giulia)["supports"]

    assert [(s["proposal_id"], s["proposal"]) for s in supports] == [(supported.id, "Panchine nuove"),
                                                                     (hidden.id, None)]
    assert all(s["created_at"] for s in supports)


def test_each_proposal_section_takes_at_most_two_queries(app, db_session, make_call, make_proposal, make_user,
                                                         count_queries, giulia):
    call = make_call(phase="supports")
    for n in range(5):
        proposal = make_proposal(call=call, author=giulia)
        db_session.add_all([
            ProposalTransition(proposal_id=proposal.id, actor_id=giulia.id, from_state="draft", to_state="submitted"),
            Attachment(proposal_id=proposal.id, filename=f"{n}.pdf", stored_name=f"q{n}.pdf",
                       content_type="application/pdf", size=1),
            Support(proposal_id=make_proposal(call=call).id, user_id=giulia.id),
        ])
    db_session.commit()
    db_session.expire_all()

    for section in (personal_data.export_proposals, personal_data.export_attachments,
                    personal_data.export_supports):
        db_session.get(type(giulia), giulia.id)  # the user is loaded, as current_user is
        with count_queries() as queries:
            exported = section(giulia)
        assert len(exported) == 5
        assert len(queries) <= 2, (section.__name__, queries)
