"""Comments on outcomes: the existing comments (their route, moderation, replies, export), on a
new kind of target."""
import json

import sqlalchemy as sa

from civiclab.comments import services
from civiclab.comments.models import Comment
from civiclab.core.sections import sections_of
from civiclab.notifications.models import Notification
from tests.conftest import login, text_of


def _comments(db_session, outcome):
    return db_session.scalars(sa.select(Comment).where(Comment.outcome_id == outcome.id).order_by(Comment.id)).all()


def _say(app, db_session, user, body, **where):
    with app.test_request_context():
        comment = services.post_comment(user, body, **where)
        db_session.commit()
    return comment


def test_a_confirmed_participant_comments_a_published_outcome(client, db_session, make_user, make_published_outcome):
    outcome = make_published_outcome()
    login(client, make_user())

    response = client.post("/commenti", data={"outcome_id": outcome.id, "body": "Quando **finisce**?"})

    [comment] = _comments(db_session, outcome)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/risultati/{outcome.id}#commento-{comment.id}")
    assert comment.body_html.strip() == "<p>Quando <strong>finisce</strong>?</p>"
    db_session.refresh(outcome)
    assert outcome.comments_count == 1
    assert client.get(f"/commenti/{comment.id}").headers["Location"].endswith(
        f"/risultati/{outcome.id}#commento-{comment.id}")


def test_no_comment_on_an_unpublished_outcome(client, db_session, make_user, make_staff, make_published_outcome):
    outcome = make_published_outcome(published=False)
    login(client, make_user())
    assert client.post("/commenti", data={"outcome_id": outcome.id, "body": "Ciao"}).status_code == 404

    login(client, make_staff(outcome.project.city))  # sees the draft, may not open its discussion
    refused = client.post("/commenti", data={"outcome_id": outcome.id, "body": "Ciao"})

    assert refused.status_code == 422
    assert "quando il risultato sarà pubblicato" in text_of(refused)
    assert _comments(db_session, outcome) == []


def test_an_unconfirmed_account_may_not_comment(client, db_session, make_user, make_published_outcome):
    outcome = make_published_outcome()
    login(client, make_user(confirmed=False))

    response = client.post("/commenti", data={"outcome_id": outcome.id, "body": "Ciao"})

    assert response.status_code in (403, 422)
    assert _comments(db_session, outcome) == []


def test_the_city_moderators_hide_a_comment_on_an_outcome(app, client, db_session, make_user, make_staff,
                                                          make_published_outcome):
    outcome = make_published_outcome()
    comment = _say(app, db_session, make_user(), "Parole offensive", outcome=outcome)
    db_session.refresh(outcome)
    assert outcome.comments_count == 1

    login(client, make_user())
    assert client.post(f"/commenti/{comment.id}/nascondi", data={"reason": "No"}).status_code == 403
    login(client, make_staff(outcome.project.city))
    response = client.post(f"/commenti/{comment.id}/nascondi", data={"reason": "Linguaggio offensivo"})

    assert response.status_code == 302
    db_session.refresh(comment)
    db_session.refresh(outcome)
    assert comment.is_hidden and comment.hidden_reason == "Linguaggio offensivo"
    assert outcome.comments_count == 0
    restored = client.post(f"/commenti/{comment.id}/ripristina", data={"reason": "Ripensato"})
    assert restored.status_code == 302
    db_session.refresh(outcome)
    assert outcome.comments_count == 1


def test_a_reported_comment_on_an_outcome_reaches_the_city_moderators(app, client, db_session, make_user,
                                                                      make_staff, make_published_outcome):
    outcome = make_published_outcome()
    comment = _say(app, db_session, make_user(display_name="Anna"), "Spam spam", outcome=outcome)
    login(client, make_user())
    assert client.post(f"/commenti/{comment.id}/segnala", data={"reason": "Pubblicità"}).status_code == 302

    login(client, make_staff(outcome.project.city))
    queue = client.get("/moderazione/segnalazioni")

    assert queue.status_code == 200 and "Commento di Anna" in text_of(queue)


def test_a_reply_on_an_outcome_is_told_to_the_comment_author(app, db_session, make_user, make_published_outcome):
    outcome = make_published_outcome(title="Giardino nuovo")
    anna = make_user()
    first = _say(app, db_session, anna, "Bello", outcome=outcome)
    _say(app, db_session, make_user(display_name="Bruno"), "Vero", parent=first)

    [note] = db_session.scalars(sa.select(Notification).where(Notification.user_id == anna.id)).all()
    assert note.kind == "comment_reply" and "«Giardino nuovo»" in note.message


def test_the_outcome_page_sections_hold_its_thread_and_follow_button(app, db_session, make_published_outcome):
    outcome = make_published_outcome()
    with app.test_request_context(f"/risultati/{outcome.id}"):
        sections = sections_of("outcome", outcome)
        assert sections.comments.target is outcome and sections.comments.visible_total == 0
        assert sections.follow is False


def test_the_export_names_the_outcome_a_comment_is_about(app, client, db_session, make_user, make_published_outcome):
    outcome = make_published_outcome(title="Giardino nuovo")
    anna = make_user()
    _say(app, db_session, anna, "Bello", outcome=outcome)
    login(client, anna)

    data = json.loads(client.get("/account/i-miei-dati.json").data)

    [exported] = data["comments"]
    assert exported["subject"] == {"outcome_id": outcome.id, "title": "Giardino nuovo"}
