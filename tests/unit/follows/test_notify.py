"""Who hears what: the author of a proposal whose state a facilitator changed, the author of a
comment that got a reply, the followers of a newly published proposal; each once, by mail as
they chose."""
import smtplib

import pytest
import sqlalchemy as sa

from civiclab.comments.services import post_comment
from civiclab.follows.models import Follow
from civiclab.notifications import services as notifications
from civiclab.notifications.models import Delivery, Notification
from civiclab.proposals import services as proposals
from civiclab.proposals.models import ProposalState


def _news(db_session, user, kind=None):
    query = sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db_session.scalars(query).all()


def _follow(db_session, user, **subject):
    db_session.add(Follow(user_id=user.id, **subject))
    db_session.commit()


@pytest.fixture
def submitted(ctx, lab_call, make_user):
    """A proposal its author has just submitted, and the call's facilitator."""
    call, facilitator = lab_call
    author = make_user(display_name="Anna Bianchi")
    proposal = proposals.create_proposal(author, call, submit=True, title="Orti in cortile",
                                         body="Un orto **condiviso** nel cortile.")
    return proposal, author, facilitator


# ---- my proposal changed state --------------------------------------------------------------

def test_the_author_is_not_told_of_their_own_submission_and_follows_their_proposal(
        db_session, submitted, outbox):
    proposal, author, _facilitator = submitted
    assert _news(db_session, author) == [] and outbox == []
    assert db_session.scalar(sa.select(Follow).where(Follow.user_id == author.id)).proposal_id == proposal.id


def test_the_author_hears_of_a_facilitators_decision_with_its_reason_by_mail_at_once(
        db_session, submitted, outbox):
    proposal, author, facilitator = submitted
    proposals.moderate_proposal(facilitator, proposal, ProposalState.CHANGES_REQUESTED, "Indica il luogo.")
    [note] = _news(db_session, author)
    assert note.kind == "proposal_state" and note.url == f"/proposte/{proposal.id}"
    assert "«Orti in cortile» ora è «Modifiche richieste». Motivo: Indica il luogo." in note.message
    assert note.delivery == "instant" and note.mailed_at is not None
    [mail] = outbox
    assert mail.recipients == [author.email] and "Orti in cortile" in mail.subject
    assert "Indica il luogo." in mail.body
    assert f"https://civiclab.example.org/proposte/{proposal.id}" in mail.body
    assert "https://civiclab.example.org/notifiche/preferenze" in mail.body


def test_withdrawing_ones_own_proposal_tells_nobody(db_session, submitted, outbox):
    proposal, author, facilitator = submitted
    proposals.moderate_proposal(facilitator, proposal, ProposalState.ACCEPTED, "Chiara.")
    before = len(_news(db_session, author))
    proposals.withdraw_proposal(author, proposal, "Ci ho ripensato")
    assert len(_news(db_session, author)) == before


def test_with_no_mail_chosen_the_news_arrives_in_app_only(db_session, submitted, outbox):
    proposal, author, facilitator = submitted
    notifications.set_preferences(author, {"proposal_state": Delivery.NONE})
    proposals.moderate_proposal(facilitator, proposal, ProposalState.REJECTED, "Fuori tema.")
    [note] = _news(db_session, author)
    assert (note.delivery, note.mailed_at) == ("none", None)
    assert outbox == []


def test_a_mail_server_that_is_down_keeps_the_decision_and_the_notification(
        app, db_session, submitted, monkeypatch):
    proposal, author, facilitator = submitted
    logged = []

    def refuse(*_args, **_kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("civiclab.notifications.services.send_mail", refuse)
    monkeypatch.setattr(app.logger, "exception", lambda message, *args: logged.append(message % args))
    proposals.moderate_proposal(facilitator, proposal, ProposalState.ACCEPTED, "Bella idea.")
    [note] = _news(db_session, author)
    assert note.mailed_at is None and proposal.state is ProposalState.ACCEPTED
    assert logged == [f"mail codesign_proposal_state to {author.email} not sent"]


# ---- a reply to my comment -------------------------------------------------------------------

def test_a_reply_tells_the_parents_author_but_not_someone_replying_to_themselves(
        ctx, db_session, make_proposal, make_user, outbox):
    proposal = make_proposal(title="Panchine in piazza")
    first, second = make_user(display_name="Carla"), make_user(display_name="Dario")
    comment = post_comment(first, "Servono panchine.", proposal=proposal)
    post_comment(first, "E anche ombra.", parent=comment)
    assert _news(db_session, first) == []
    reply = post_comment(second, "D'accordo!", parent=comment)
    [note] = _news(db_session, first)
    assert note.kind == "comment_reply" and note.url == f"/commenti/{reply.id}"
    assert "Dario ha risposto al tuo commento su «Panchine in piazza»." == note.message
    [mail] = [mail for mail in outbox if mail.recipients != [proposal.author.email]]  # who hears of comments
    assert mail.recipients == [first.email] and "D'accordo!" in mail.body


def test_a_reply_on_a_project_links_to_its_place_on_the_project_page(ctx, client, db_session, make_project,
                                                                     make_user):
    project = make_project()
    first, second = make_user(), make_user()
    comment = post_comment(first, "Quando iniziano i lavori?", project=project)
    reply = post_comment(second, "A settembre.", parent=comment)
    [note] = _news(db_session, first)
    db_session.commit()
    # The comment's own address leads to the page of the thread that holds it (page 2 and after).
    assert note.url == f"/commenti/{reply.id}"
    assert client.get(note.url).location.endswith(f"/progetti/{project.code}#commento-{reply.id}")


# ---- news of what I follow -------------------------------------------------------------------

def test_a_published_proposal_reaches_each_follower_once(db_session, submitted, make_user, outbox):
    proposal, author, facilitator = submitted
    call = proposal.call
    both, of_proposal, of_project, stranger = (make_user() for _ in range(4))
    _follow(db_session, both, call_id=call.id)
    _follow(db_session, both, project_id=call.project_id)
    _follow(db_session, of_proposal, proposal_id=proposal.id)
    _follow(db_session, of_project, project_id=call.project_id)
    _follow(db_session, author, call_id=call.id)  # the author follows the call too: not told of their own

    proposals.moderate_proposal(facilitator, proposal, ProposalState.ACCEPTED, "Chiara e fattibile.")
    for follower in (both, of_proposal, of_project):
        [note] = _news(db_session, follower)
        assert note.kind == "followed_news" and note.dedupe_key == f"proposal-published:{proposal.id}"
        assert note.delivery == "daily" and note.mailed_at is None  # the default: the daily digest
        assert "«Orti in cortile»" in note.message and call.title in note.message
    assert _news(db_session, stranger) == []
    assert [n.kind for n in _news(db_session, author)] == ["proposal_state"]
    assert [m.recipients for m in outbox] == [[author.email]]


def test_a_follower_who_chose_instant_mail_gets_it_now(db_session, submitted, make_user, outbox):
    proposal, _author, facilitator = submitted
    follower = make_user()
    notifications.set_preferences(follower, {"followed_news": Delivery.INSTANT})
    _follow(db_session, follower, call_id=proposal.call_id)
    proposals.moderate_proposal(facilitator, proposal, ProposalState.ACCEPTED, "Ok.")
    mails = [m for m in outbox if m.recipients == [follower.email]]
    assert len(mails) == 1 and "Orti in cortile" in mails[0].subject


def test_a_follower_of_a_call_they_can_no_longer_see_hears_nothing(db_session, submitted, make_user):
    proposal, _author, facilitator = submitted
    follower = make_user()
    _follow(db_session, follower, call_id=proposal.call_id)
    proposal.call.published = False
    db_session.commit()
    proposals.moderate_proposal(facilitator, proposal, ProposalState.ACCEPTED, "Ok.")
    assert _news(db_session, follower) == []


# ---- deliver ---------------------------------------------------------------------------------

def test_nobody_gets_the_same_news_twice(ctx, db_session, make_user, outbox):
    user = make_user()
    for _ in range(2):
        notifications.deliver(user, "comment_reply", "Risposta", "/", "reply:1", "Oggetto",
                              "codesign_comment_reply", author_name="A", subject_title="T", excerpt="")
    assert len(_news(db_session, user)) == 1 and len(outbox) == 1


def test_the_same_news_arriving_twice_at_once_is_kept_once(ctx, db_session, make_user, monkeypatch):
    """Two deliveries that both pass the check: the unique constraint keeps one, nothing breaks."""
    user = make_user()
    other = notifications.deliver(user, "followed_news", "Prima", "/", "news:1", "Oggetto", "x")
    real_scalar = db_session.scalar

    def check_sees_nothing(statement, *args, **kwargs):
        if "dedupe_key" in str(statement):
            return 0
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db_session, "scalar", check_sees_nothing)
    assert notifications.deliver(user, "followed_news", "Seconda", "/", "news:1", "Oggetto", "x") is None
    monkeypatch.undo()
    db_session.commit()  # the session survived the refused insert
    assert [n.message for n in _news(db_session, user)] == [other.message]


def test_news_for_a_deleted_account_is_dropped(ctx, db_session, make_user):
    from civiclab.core.time import utcnow

    user = make_user()
    user.deleted_at = utcnow()
    db_session.commit()
    assert notifications.deliver(user, "comment_reply", "Risposta", "/", "r:1", "Oggetto", "x") is None


# ---- a proposal to review (the call's moderators) -------------------------------------------

def test_the_calls_facilitators_and_staff_hear_of_a_proposal_sent_for_review(
        ctx, db_session, lab_call, make_user, make_staff, make_facilitator, make_lab, outbox):
    call, facilitator = lab_call
    staff = make_staff(call.city)
    other_lab_facilitator = make_facilitator(make_lab(city=call.city))  # the call names its lab
    author = make_user()
    proposal = proposals.create_proposal(author, call, submit=True, title="Orti in cortile", body="Un orto.")
    for moderator in (facilitator, staff):
        [note] = _news(db_session, moderator)
        assert note.kind == "proposal_to_review" and note.url == f"/moderazione/proposte/{proposal.id}"
        assert "Nuova proposta da valutare" in note.message and "Orti in cortile" in note.message
    assert _news(db_session, other_lab_facilitator) == [] and _news(db_session, author) == []
    assert sorted(mail.recipients[0] for mail in outbox) == sorted([facilitator.email, staff.email])
    assert f"https://civiclab.example.org/moderazione/proposte/{proposal.id}" in outbox[0].body


def test_a_draft_saved_tells_no_moderator(ctx, db_session, lab_call, make_user):
    call, facilitator = lab_call
    proposals.create_proposal(make_user(), call, title="Orti in cortile", body="Un orto.")
    assert _news(db_session, facilitator) == []


def test_the_facilitators_hear_of_a_proposal_sent_again_after_their_change_request(
        db_session, submitted, outbox):
    proposal, author, facilitator = submitted
    proposals.moderate_proposal(facilitator, proposal, ProposalState.CHANGES_REQUESTED, "Indica il luogo.")
    proposals.update_proposal(author, proposal, title="Orti in via Libia", body="Un orto.")
    proposals.submit_proposal(author, proposal)
    notes = _news(db_session, facilitator, "proposal_to_review")
    assert len(notes) == 2  # sent, then sent again
    assert "è stata modificata e inviata di nuovo" in notes[-1].message
    [mail] = [m for m in outbox if m.recipients == [facilitator.email]]
    assert "inviata di nuovo" in mail.subject and "cosa è cambiato" in mail.body


def test_a_moderator_chooses_no_mail_for_proposals_to_review(db_session, lab_call, ctx, make_user, outbox):
    call, facilitator = lab_call
    notifications.set_preferences(facilitator, {"proposal_to_review": Delivery.NONE})
    proposals.create_proposal(make_user(), call, submit=True, title="Orti", body="Un orto.")
    [note] = _news(db_session, facilitator)
    assert note.delivery == "none" and outbox == []


# ---- a comment on my proposal ------------------------------------------------------------------

def test_the_author_hears_of_comments_on_their_proposal_but_not_of_their_own(
        ctx, db_session, make_proposal, make_user, outbox):
    author = make_user(display_name="Anna")
    proposal = make_proposal(author=author, title="Panchine in piazza")
    post_comment(author, "Aggiungo un dettaglio.", proposal=proposal)
    assert _news(db_session, author) == [] and outbox == []
    comment = post_comment(make_user(display_name="Bruno"), "Ottima idea!", proposal=proposal)
    [note] = _news(db_session, author)
    assert note.kind == "proposal_comment" and note.url == f"/commenti/{comment.id}"
    assert note.message == "Bruno ha commentato la tua proposta «Panchine in piazza»."
    [mail] = outbox
    assert mail.recipients == [author.email] and "Ottima idea!" in mail.body


def test_a_reply_to_the_authors_own_comment_is_told_once_as_a_reply(ctx, db_session, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author=author)
    mine = post_comment(author, "Ecco la mia idea.", proposal=proposal)
    post_comment(make_user(), "Bella!", parent=mine)
    assert [note.kind for note in _news(db_session, author)] == ["comment_reply"]


def test_the_author_chooses_no_mail_for_comments(ctx, db_session, make_proposal, make_user, outbox):
    author = make_user()
    notifications.set_preferences(author, {"proposal_comment": Delivery.NONE})
    post_comment(make_user(), "Ottima idea!", proposal=make_proposal(author=author))
    assert [note.delivery for note in _news(db_session, author)] == ["none"] and outbox == []
