"""Deleting an account that took part in co-design: what stays (published proposals, comments,
supports, votes, reports, blocks), shown under "Utente eliminato"; what goes (unpublished
proposals with their files, follows, notifications and preferences); and that no page breaks."""
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.accounts.models import User
from civiclab.comments.models import Comment, CommentVote
from civiclab.core.time import utcnow
from civiclab.follows.models import Follow
from civiclab.moderation.models import Report
from civiclab.notifications.models import Delivery, Notification, NotificationPreference
from civiclab.proposals.models import Attachment, Proposal, ProposalState, Support
from tests.conftest import DEMO_PASSWORD, login, text_of


@pytest.fixture
def world(db_session, make_lab, make_project, make_call, make_proposal, make_user, make_facilitator, uploads):
    """Giulia took part in everything; Marco and Anna around her; Fabio facilitates the lab."""
    lab = make_lab()
    project = make_project(city=lab.city, title="Accelerazione civica")
    call = make_call(project=project, lab=lab, phase="supports", title="Idee per i cortili")
    giulia = make_user(display_name="Giulia Verdi", email="giulia@example.org")
    marco, anna = make_user(display_name="Marco Rossi"), make_user(display_name="Anna Bianchi")
    fabio = make_facilitator(lab, display_name="Fabio Facilitatore")
    S = ProposalState
    published = make_proposal(call=call, author=giulia, title="Orto nel cortile di Giulia", supports_count=2)
    unpublished = {state: make_proposal(call=call, author=giulia, state=state, title=f"Giulia {state.value}")
                   for state in (S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.REJECTED)}
    withdrawn = make_proposal(call=call, author=giulia, state=S.WITHDRAWN, title="Giulia ritirata")
    marcos = make_proposal(call=call, author=marco, title="Panchine di Marco", supports_count=1)
    for stored, proposal in (("pub.pdf", published), ("sub.pdf", unpublished[S.SUBMITTED])):
        (uploads / stored).write_bytes(b"%PDF-1.4")
        db_session.add(Attachment(proposal_id=proposal.id, filename=stored, stored_name=stored,
                                  content_type="application/pdf", size=8))
    db_session.add_all([Support(proposal_id=published.id, user_id=marco.id),
                        Support(proposal_id=published.id, user_id=anna.id),
                        Support(proposal_id=marcos.id, user_id=giulia.id)])
    giulias_comment = Comment(proposal_id=marcos.id, author_id=giulia.id, body="Commento di Giulia sulle panchine",
                              upvotes=1)
    on_project = Comment(project_id=project.id, author_id=giulia.id, body="Giulia sul progetto")
    on_draft_review = Comment(proposal_id=unpublished[S.SUBMITTED].id, author_id=fabio.id, body="Nota interna")
    marcos_comment = Comment(proposal_id=published.id, author_id=marco.id, body="Marco sull'orto")
    db_session.add_all([giulias_comment, on_project, on_draft_review, marcos_comment])
    db_session.commit()
    reply = Comment(proposal_id=marcos.id, author_id=marco.id, body="Marco risponde a Giulia",
                    parent_id=giulias_comment.id, root_id=giulias_comment.id, depth=1)
    db_session.add_all([
        reply,
        CommentVote(comment_id=giulias_comment.id, user_id=marco.id, value=1),
        CommentVote(comment_id=marcos_comment.id, user_id=giulia.id, value=1),
        Follow(user_id=giulia.id, call_id=call.id), Follow(user_id=giulia.id, proposal_id=marcos.id),
        Follow(user_id=marco.id, proposal_id=unpublished[S.SUBMITTED].id),
        NotificationPreference(user_id=giulia.id, kind="comment_reply", delivery=Delivery.WEEKLY),
        Notification(user_id=giulia.id, kind="comment_reply", message="Marco ha risposto", delivery="weekly"),
        Report(comment_id=marcos_comment.id, reporter_id=giulia.id, reason="Giulia segnala Marco"),
        Report(comment_id=giulias_comment.id, reporter_id=anna.id, reason="Anna segnala Giulia"),
        Report(proposal_id=unpublished[S.SUBMITTED].id, reporter_id=anna.id, reason="Anna segnala la bozza"),
        UserBlock(user_id=giulia.id, blocked_by_id=fabio.id, reason="Toni accesi", lifted_at=utcnow()),
    ])
    marcos_comment.upvotes = 1
    db_session.commit()
    return SimpleNamespace(call=call, project=project, giulia=giulia, marco=marco, anna=anna, fabio=fabio,
                           published=published, unpublished=unpublished, withdrawn=withdrawn, marcos=marcos,
                           giulias_comment=giulias_comment, on_project=on_project, reply=reply)


def _delete(client, db_session, user):
    login(client, user)
    response = client.post("/account/elimina", data={"password": DEMO_PASSWORD})
    assert response.status_code == 302
    db_session.expire_all()


def _count(db_session, model, *where):
    return db_session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_published_proposals_and_comments_stay_under_the_deleted_name(client, db_session, world):
    giulia = world.giulia

    _delete(client, db_session, giulia)

    published = db_session.get(Proposal, world.published.id)
    assert published.state is ProposalState.ACCEPTED and published.author_id == giulia.id
    assert db_session.get(User, giulia.id).display_name == "Utente eliminato"
    assert db_session.get(Proposal, world.withdrawn.id) is not None  # once public: others discussed it
    assert db_session.get(Comment, world.giulias_comment.id).body == "Commento di Giulia sulle panchine"
    assert db_session.get(Comment, world.on_project.id) is not None
    assert db_session.get(Comment, world.reply.id).parent_id == world.giulias_comment.id


def test_unpublished_proposals_go_with_their_files_history_comments_and_follows(client, db_session, world,
                                                                                  uploads):
    ids = [p.id for p in world.unpublished.values()]

    _delete(client, db_session, world.giulia)

    assert _count(db_session, Proposal, Proposal.id.in_(ids)) == 0
    assert _count(db_session, Comment, Comment.proposal_id.in_(ids)) == 0  # the facilitator's note too
    assert _count(db_session, Follow, Follow.proposal_id.in_(ids)) == 0  # Marco's follow of one of them
    assert _count(db_session, Report, Report.proposal_id.in_(ids)) == 0
    assert _count(db_session, Attachment, Attachment.proposal_id.in_(ids)) == 0
    assert not (uploads / "sub.pdf").exists()
    assert (uploads / "pub.pdf").exists()  # the published proposal keeps its attachment


def test_supports_and_votes_stay_counted_reports_and_blocks_stay(client, db_session, world):
    giulia = world.giulia

    _delete(client, db_session, giulia)

    assert db_session.get(Proposal, world.marcos.id).supports_count == 1
    assert _count(db_session, Support, Support.user_id == giulia.id) == 1
    assert db_session.get(Proposal, world.published.id).supports_count == 2
    assert _count(db_session, CommentVote, CommentVote.user_id == giulia.id) == 1
    assert _count(db_session, Report, Report.reporter_id == giulia.id) == 1
    assert _count(db_session, UserBlock, UserBlock.user_id == giulia.id) == 1


def test_follows_notifications_and_preferences_are_deleted(client, db_session, world):
    giulia, marco = world.giulia, world.marco

    _delete(client, db_session, giulia)

    for model in (Follow, Notification, NotificationPreference):
        assert _count(db_session, model, model.user_id == giulia.id) == 0, model
    assert _count(db_session, Follow, Follow.user_id == marco.id) == 0  # his follow was of a deleted draft


def test_pages_show_the_deleted_author_and_never_the_old_name(app, client, db_session, world):
    _delete(client, db_session, world.giulia)
    anonymous, facilitator = app.test_client(), app.test_client()
    login(facilitator, world.fabio)
    call, published, marcos = world.call, world.published, world.marcos
    pages = [
        (anonymous, f"/call/{call.id}"),
        (anonymous, f"/proposte/{published.id}"),
        (anonymous, f"/proposte/{marcos.id}"),
        (anonymous, f"/progetti/{world.project.code}"),
        (anonymous, f"/commenti/{world.giulias_comment.id}"),
        (anonymous, "/cerca?q=orto"),
        (facilitator, f"/proposte/{published.id}"),
        (facilitator, f"/proposte/{world.withdrawn.id}"),
        (facilitator, "/moderazione/proposte"),
        (facilitator, "/moderazione/proposte?stato=tutti"),
        (facilitator, f"/moderazione/proposte/{published.id}"),
        (facilitator, "/moderazione/segnalazioni"),
        (facilitator, "/moderazione/blocchi"),
        (facilitator, "/moderazione/registro"),
    ]
    for client_, url in pages:
        response = client_.get(url, follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        assert "Giulia Verdi" not in response.text and "giulia@example.org" not in response.text, url
    assert "Utente eliminato" in text_of(anonymous.get(f"/proposte/{published.id}"))
    assert "Utente eliminato" in text_of(anonymous.get(f"/proposte/{marcos.id}"))
    assert "Utente eliminato" in text_of(facilitator.get("/moderazione/segnalazioni"))
    assert facilitator.get(f"/moderazione/utenti/{world.giulia.id}/blocca").status_code == 404  # nobody to block


def test_replying_to_a_deleted_author_tells_nobody(app, client, db_session, world, outbox):
    _delete(client, db_session, world.giulia)
    anna = app.test_client()
    login(anna, world.anna)

    response = anna.post(f"/commenti/{world.giulias_comment.id}/risposta",
                         data={"body": "Rispondo lo stesso."})

    assert response.status_code in (302, 303)
    assert _count(db_session, Comment, Comment.body == "Rispondo lo stesso.") == 1
    assert _count(db_session, Notification, Notification.user_id == world.giulia.id) == 0
    # Only the proposal's author hears of a new comment on it.
    assert [message.recipients for message in outbox] == [[world.marco.email]]


def test_a_facilitator_still_moderates_a_deleted_authors_proposal(app, client, db_session, world):
    _delete(client, db_session, world.giulia)
    fabio = app.test_client()
    login(fabio, world.fabio)
    comment = world.giulias_comment

    hidden = fabio.post(f"/commenti/{comment.id}/nascondi", data={"reason": "Fuori tema."})

    assert hidden.status_code in (302, 303)
    db_session.expire_all()
    assert db_session.get(Comment, comment.id).hidden_at is not None


def test_deleting_an_account_with_nothing_of_co_design_works_too(client, db_session, make_user):
    user = make_user()
    _delete(client, db_session, user)
    assert db_session.get(User, user.id).deleted_at is not None


def test_the_deletion_page_says_what_stays_and_what_goes(client, make_user):
    login(client, make_user())
    page = text_of(client.get("/account/elimina"))
    assert "Le tue proposte pubblicate e i tuoi commenti restano visibili" in page
    assert "Cancelleremo le proposte mai pubblicate" in page
