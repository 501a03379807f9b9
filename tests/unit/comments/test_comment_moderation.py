"""Reports and moderation of comments through their pages."""
import sqlalchemy as sa

from civiclab.moderation.models import ModerationAction, Report
from tests.conftest import login, text_of


def test_a_moderator_hides_a_comment_with_a_reason_the_author_reads(client, db_session, make_user,
                                                                    make_facilitator, lab, proposal, say):
    author = make_user(display_name="Anna")
    comment = say(author, "Parole offensive", proposal=proposal)
    say(make_user(), "Risposta", parent=comment)
    login(client, make_facilitator(lab))

    assert client.get(f"/commenti/{comment.id}/nascondi").status_code == 200
    empty = client.post(f"/commenti/{comment.id}/nascondi", data={"reason": ""})
    response = client.post(f"/commenti/{comment.id}/nascondi", data={"reason": "Linguaggio offensivo"})

    assert empty.status_code == 422 and "Scrivi il motivo" in text_of(empty)
    assert response.status_code == 302
    db_session.refresh(comment)
    assert comment.is_hidden and comment.hidden_reason == "Linguaggio offensivo"
    db_session.refresh(proposal)
    assert proposal.comments_count == 1
    login(client, make_user())
    url = client.get(f"/commenti/{comment.id}").headers["Location"]
    page = text_of(client.get(url))
    assert "Commento nascosto dai moderatori" in page
    assert "Parole offensive" not in page and "Linguaggio offensivo" not in page
    login(client, author)
    assert "Motivo: Linguaggio offensivo" in text_of(client.get(url))


def test_moderators_restore_a_hidden_comment(client, db_session, make_user, make_staff, project, say):
    comment = say(make_user(), "Testo", project=project)
    staff = make_staff(project.city)
    login(client, staff)
    client.post(f"/commenti/{comment.id}/nascondi", data={"reason": "Fuori tema"})

    response = client.post(f"/commenti/{comment.id}/ripristina", data={"reason": "Ripensato"})

    assert response.status_code == 302
    db_session.refresh(comment)
    assert comment.is_visible
    assert [a.action for a in db_session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id))] == [
        "hide_comment", "restore_comment"]


def test_participants_and_other_cities_staff_may_not_hide(client, db_session, make_user, make_staff, make_city,
                                                          make_lab, make_facilitator, project, say):
    comment = say(make_user(), "Testo", project=project)
    other_city = make_city()
    for someone in (make_user(), make_staff(other_city), make_facilitator(make_lab(city=other_city))):
        login(client, someone)
        assert client.get(f"/commenti/{comment.id}/nascondi").status_code == 403
        assert client.post(f"/commenti/{comment.id}/nascondi", data={"reason": "No"}).status_code == 403
        assert client.post(f"/commenti/{comment.id}/ripristina", data={"reason": "No"}).status_code == 403
        assert "/nascondi" not in client.get(f"/progetti/{project.code}").get_data(as_text=True)
    db_session.refresh(comment)
    assert comment.is_visible


def test_three_reports_hide_a_comment_pending_review(client, db_session, make_user, project, say):
    comment = say(make_user(), "Compra pillole qui", project=project)
    reporters = [make_user() for _ in range(3)]

    for n, reporter in enumerate(reporters):
        login(client, reporter)
        response = client.post(f"/commenti/{comment.id}/segnala", data={"reason": "Spam"})
        assert response.status_code == 302
        db_session.refresh(comment)
        assert comment.is_hidden == (n == 2)

    page = text_of(client.get(f"/progetti/{project.code}"))
    assert "nascosto in attesa di verifica" in page and "Compra pillole" not in page
    assert db_session.scalar(sa.select(sa.func.count(Report.id))) == 3


def test_reporting_twice_answers_as_the_first_time_and_stores_one_report(client, db_session, make_user, project,
                                                                         say):
    author = make_user()
    comment = say(author, "Testo", project=project)
    login(client, make_user())

    assert client.post(f"/commenti/{comment.id}/segnala", data={"reason": ""}).status_code == 422
    assert client.post(f"/commenti/{comment.id}/segnala", data={"reason": "Spam"}).status_code == 302
    twice = client.post(f"/commenti/{comment.id}/segnala", data={"reason": "Ancora spam"}, follow_redirects=True)
    assert twice.status_code == 200 and "Segnalazione ricevuta" in text_of(twice)
    login(client, author)
    own = client.post(f"/commenti/{comment.id}/segnala", data={"reason": "Io"})
    assert own.status_code == 422 and "tuo contenuto" in text_of(own)
    assert db_session.scalar(sa.select(sa.func.count(Report.id))) == 1


def test_a_hidden_reason_is_escaped(client, make_user, make_staff, project, say):
    author = make_user()
    comment = say(author, "Testo", project=project)
    login(client, make_staff(project.city))
    client.post(f"/commenti/{comment.id}/nascondi", data={"reason": "<script>alert(1)</script>"})
    login(client, author)

    html = client.get(f"/progetti/{project.code}").get_data(as_text=True)

    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
