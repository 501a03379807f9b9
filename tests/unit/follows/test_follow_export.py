"""What I follow, in "I miei dati" (/account/i-miei-dati.json)."""
import json

from civiclab.core.time import utcnow
from civiclab.follows import personal_data
from civiclab.follows.models import Follow
from tests.conftest import login


def _export(client, user):
    login(client, user)
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    return json.loads(response.data)


def test_the_export_holds_what_i_follow_and_not_what_others_follow(client, db_session, make_user, make_proposal,
                                                                   lab_call):
    call, _facilitator = lab_call
    giulia, other = make_user(), make_user()
    proposal = make_proposal(call=call, title="Un orto nel cortile")
    secret = make_proposal(call=call, title="Nascosta dopo tre segnalazioni")
    db_session.add_all([
        Follow(user_id=giulia.id, project_id=call.project_id),
        Follow(user_id=giulia.id, call_id=call.id),
        Follow(user_id=giulia.id, proposal_id=proposal.id),
        Follow(user_id=giulia.id, proposal_id=secret.id),
        Follow(user_id=other.id, proposal_id=make_proposal(call=call, title="Seguita da altri").id),
    ])
    secret.hidden_at = utcnow()
    db_session.commit()

    follows = _export(client, giulia)["follows"]

    assert [(f["kind"], f["id"], f["title"]) for f in follows] == [
        ("progetto", call.project_id, call.project.title), ("call", call.id, call.title),
        ("proposta", proposal.id, "Un orto nel cortile"), ("proposta", secret.id, None)]
    assert all(f["created_at"] for f in follows)
    assert "Seguita da altri" not in json.dumps(follows)


def test_the_follows_section_takes_one_query(db_session, make_user, make_proposal, lab_call, count_queries):
    call, _facilitator = lab_call
    giulia = make_user()
    db_session.add_all([Follow(user_id=giulia.id, call_id=call.id)]
                       + [Follow(user_id=giulia.id, proposal_id=make_proposal(call=call).id) for _n in range(4)])
    db_session.commit()
    db_session.expire_all()
    giulia = db_session.get(type(giulia), giulia.id)

    with count_queries() as queries:
        assert len(personal_data.export_follows(giulia)) == 5
    assert len(queries) == 1, queries
