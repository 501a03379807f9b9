"""Editing within the window, deleting with a placeholder, and the refusals others meet."""
from datetime import timedelta

import pytest

from civiclab.comments import services
from civiclab.core.errors import DomainError
from civiclab.core.time import utcnow
from tests.conftest import login, text_of


def test_the_author_edits_within_fifteen_minutes_and_the_comment_says_so(client, db_session, make_user, project,
                                                                         say):
    author = make_user()
    comment = say(author, "Prima versione", project=project)
    login(client, author)

    assert client.get(f"/commenti/{comment.id}/modifica").status_code == 200
    response = client.post(f"/commenti/{comment.id}/modifica", data={"body": "Seconda *versione*"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#commento-{comment.id}")
    db_session.refresh(comment)
    assert comment.body == "Seconda *versione*" and comment.edited_at is not None
    page = text_of(client.get(f"/progetti/{project.code}"))
    assert "Seconda versione" in page and "modificato" in page and "Prima versione" not in page


def test_after_fifteen_minutes_the_author_may_no_longer_edit(client, db_session, make_user, project, say):
    author = make_user()
    comment = say(author, "Scritto tempo fa", project=project)
    comment.created_at = utcnow() - timedelta(minutes=16)
    db_session.commit()
    login(client, author)

    shown = client.get(f"/commenti/{comment.id}/modifica")
    response = client.post(f"/commenti/{comment.id}/modifica", data={"body": "Cambiato"})

    assert shown.status_code == 302
    assert response.status_code == 422
    assert "entro 15 minuti" in text_of(response)
    assert "Cambiato" in response.get_data(as_text=True)  # the text typed is shown again
    db_session.refresh(comment)
    assert comment.body == "Scritto tempo fa" and comment.edited_at is None
    assert "Modifica" not in text_of(client.get(f"/progetti/{project.code}")).split("Scritto tempo fa")[1]


def test_the_edit_window_is_fifteen_minutes(in_request, make_user, project, say):
    author = make_user()
    comment = say(author, "Testo", project=project)

    services.edit_comment(author, comment, "Entro il tempo", now=comment.created_at + timedelta(minutes=15))
    with pytest.raises(DomainError):
        services.edit_comment(author, comment, "Fuori tempo", now=comment.created_at + timedelta(minutes=15, seconds=1))
    assert comment.body == "Entro il tempo"


def test_others_may_neither_edit_nor_delete_a_comment(client, db_session, make_user, make_staff, project, say):
    comment = say(make_user(), "Mio", project=project)

    for someone in (make_user(), make_staff(project.city), make_user(is_admin=True)):
        login(client, someone)
        assert client.get(f"/commenti/{comment.id}/modifica").status_code == 403
        assert client.post(f"/commenti/{comment.id}/modifica", data={"body": "Tuo"}).status_code == 403
        assert client.post(f"/commenti/{comment.id}/elimina").status_code == 403
    db_session.refresh(comment)
    assert comment.body == "Mio" and comment.deleted_at is None


def test_deleting_ones_comment_leaves_a_placeholder_that_keeps_the_replies(client, db_session, make_user, project,
                                                                           say):
    author = make_user(display_name="Anna")
    comment = say(author, "Testo da togliere", project=project)
    reply = say(make_user(display_name="Bruno"), "Una risposta che resta", parent=comment)
    login(client, author)

    response = client.post(f"/commenti/{comment.id}/elimina")

    assert response.status_code == 302
    html = client.get(f"/progetti/{project.code}").get_data(as_text=True)
    page = text_of(client.get(f"/progetti/{project.code}"))
    assert "Testo da togliere" not in html
    assert "Commento eliminato dall’autore" in page and "Una risposta che resta" in page
    assert html.index(f'id="commento-{comment.id}"') < html.index(f'id="commento-{reply.id}"')
    assert "Commenti 1" in page  # the reply only
    # Deleted once is enough; editing it is refused.
    assert client.post(f"/commenti/{comment.id}/elimina").status_code == 403
    assert client.post(f"/commenti/{comment.id}/modifica", data={"body": "Torno"}).status_code == 422


def test_nobody_replies_to_a_deleted_comment(client, db_session, make_user, project, say):
    author = make_user()
    comment = say(author, "Sparito", project=project)
    with client.application.test_request_context():
        services.delete_comment(author, comment)
        db_session.commit()
    login(client, make_user())

    response = client.post(f"/commenti/{comment.id}/risposta", data={"body": "Ci sei?"})

    assert response.status_code == 422
    assert "eliminato o nascosto" in text_of(response)


def test_a_proposals_comment_count_follows_deleting_and_hiding(in_request, db_session, make_user, make_facilitator,
                                                               lab, proposal, say):
    author = make_user()
    first = say(author, "Uno", proposal=proposal)
    second = say(make_user(), "Due", parent=first)
    db_session.refresh(proposal)
    assert proposal.comments_count == 2

    services.delete_comment(author, first)
    assert proposal.comments_count == 1
    moderator = make_facilitator(lab)
    services.hide_comment(moderator, second, "Offensivo")
    assert proposal.comments_count == 0
    services.restore_comment(moderator, second, "Ci siamo sbagliati")
    assert proposal.comments_count == 1
