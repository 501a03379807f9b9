"""The comments and comment votes of "I miei dati" (/account/i-miei-dati.json)."""
import json

from civiclab.comments import personal_data
from civiclab.comments.models import Comment, CommentVote, Stance
from civiclab.core.time import utcnow
from tests.conftest import login


def _export(client, user):
    login(client, user)
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    return json.loads(response.data)


def test_the_export_holds_my_comments_with_their_subject_stance_and_flags(
        client, db_session, make_user, project, proposal):
    giulia, other = make_user(), make_user()
    now = utcnow()
    on_proposal = Comment(proposal_id=proposal.id, author_id=giulia.id, body="Sono **d'accordo**.",
                          stance=Stance.IN_FAVOUR, edited_at=now)
    on_project = Comment(project_id=project.id, author_id=giulia.id, body="Quando parte il cantiere?")
    removed = Comment(proposal_id=proposal.id, author_id=giulia.id, body="Ci ho ripensato.", deleted_at=now)
    hidden = Comment(proposal_id=proposal.id, author_id=giulia.id, body="Fuori tema.", hidden_at=now,
                     hidden_reason="Non riguarda la proposta.")
    db_session.add_all([on_proposal, on_project, removed, hidden])
    db_session.commit()
    reply = Comment(proposal_id=proposal.id, author_id=other.id, body="Un commento altrui.",
                    parent_id=on_proposal.id, root_id=on_proposal.id, depth=1)
    db_session.add(reply)
    db_session.commit()

    comments = _export(client, giulia)["comments"]

    assert [c["body"] for c in comments] == ["Sono **d'accordo**.", "Quando parte il cantiere?",
                                             "Ci ho ripensato.", "Fuori tema."]
    first, second, third, fourth = comments
    assert first["subject"] == {"proposal_id": proposal.id, "title": proposal.title}
    assert (first["stance"], first["edited"], first["deleted"], first["hidden"]) == ("in_favour", True, False, False)
    assert second["subject"] == {"project_id": project.id, "title": project.title}
    assert second["stance"] is None and second["edited"] is False
    assert third["deleted"] is True and third["deleted_at"]
    assert fourth["hidden"] is True and fourth["hidden_reason"] == "Non riguarda la proposta."
    assert all(c["created_at"] for c in comments)
    assert "Un commento altrui." not in json.dumps(comments)


def test_a_subject_i_can_no_longer_see_is_named_by_its_id(client, db_session, make_user, proposal):
    giulia = make_user()
    db_session.add(Comment(proposal_id=proposal.id, author_id=giulia.id, body="Bella idea."))
    proposal.hidden_at = utcnow()
    db_session.commit()

    comments = _export(client, giulia)["comments"]

    assert comments[0]["subject"] == {"proposal_id": proposal.id, "title": None}


def test_the_export_holds_my_votes_and_not_others(client, db_session, make_user, proposal):
    giulia, other = make_user(), make_user()
    first = Comment(proposal_id=proposal.id, author_id=other.id, body="Uno.")
    second = Comment(proposal_id=proposal.id, author_id=other.id, body="Due.")
    db_session.add_all([first, second])
    db_session.commit()
    db_session.add_all([CommentVote(comment_id=first.id, user_id=giulia.id, value=1),
                        CommentVote(comment_id=second.id, user_id=giulia.id, value=-1),
                        CommentVote(comment_id=second.id, user_id=other.id, value=1)])
    db_session.commit()

    votes = _export(client, giulia)["comment_votes"]

    assert [(v["comment_id"], v["vote"]) for v in votes] == [(first.id, "up"), (second.id, "down")]


def test_each_comment_section_takes_one_query(db_session, make_user, project, proposal, count_queries):
    giulia, other = make_user(), make_user()
    for n in range(4):
        theirs = Comment(proposal_id=proposal.id, author_id=other.id, body=f"Altro {n}")
        db_session.add_all([theirs, Comment(proposal_id=proposal.id, author_id=giulia.id, body=f"Mio {n}"),
                            Comment(project_id=project.id, author_id=giulia.id, body=f"Progetto {n}")])
        db_session.flush()
        db_session.add(CommentVote(comment_id=theirs.id, user_id=giulia.id, value=1))
    db_session.commit()
    db_session.expire_all()
    giulia = db_session.get(type(giulia), giulia.id)

    with count_queries() as queries:
        comments = personal_data.export_comments(giulia)
    assert len(comments) == 8 and len(queries) == 1, queries
    with count_queries() as queries:
        votes = personal_data.export_comment_votes(giulia)
    assert len(votes) == 4 and len(queries) == 1, queries
