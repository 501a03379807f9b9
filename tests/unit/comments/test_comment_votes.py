"""Votes on comments, and the thread's orders (oldest, newest, best)."""
from datetime import timedelta

import sqlalchemy as sa

from civiclab.comments.models import CommentVote
from tests.conftest import login, text_of


def test_one_vote_per_person_which_can_change_or_be_cancelled(client, db_session, make_user, project, say):
    comment = say(make_user(), "Votami", project=project)
    voter = make_user()
    login(client, voter)

    def send(value):
        response = client.post(f"/commenti/{comment.id}/voto", data={"value": value})
        db_session.refresh(comment)
        return response.status_code, comment.upvotes, comment.downvotes

    assert send("1") == (302, 1, 0)
    assert send("1") == (302, 1, 0)  # the same vote again changes nothing
    assert send("-1") == (302, 0, 1)
    assert send("0") == (302, 0, 0)
    assert db_session.scalar(sa.select(sa.func.count(CommentVote.id))) == 0
    assert send("1") == (302, 1, 0)
    login(client, make_user())
    assert send("1") == (302, 2, 0)
    assert "Punteggio: 2" in text_of(client.get(f"/progetti/{project.code}"))


def test_nobody_votes_their_own_comment_or_with_a_made_up_value(client, db_session, make_user, project, say):
    author = make_user()
    comment = say(author, "Mio", project=project)
    login(client, author)

    own = client.post(f"/commenti/{comment.id}/voto", data={"value": "1"})
    assert own.status_code == 302
    assert "Non puoi votare un tuo commento" in text_of(client.get(own.headers["Location"]))
    login(client, make_user())
    assert client.post(f"/commenti/{comment.id}/voto", data={"value": "5"}).status_code == 400
    db_session.refresh(comment)
    assert (comment.upvotes, comment.downvotes) == (0, 0)


def test_votes_answer_json_to_scripts(client, make_user, project, say):
    author = make_user()
    comment = say(author, "Votami", project=project)
    login(client, make_user())
    headers = {"Accept": "application/json"}

    response = client.post(f"/commenti/{comment.id}/voto", data={"value": "-1"}, headers=headers)
    assert response.get_json() == {"upvotes": 0, "downvotes": 1, "score": -1, "my_vote": -1}
    login(client, author)
    refused = client.post(f"/commenti/{comment.id}/voto", data={"value": "1"}, headers=headers)
    assert refused.status_code == 422 and "error" in refused.get_json()


def test_anonymous_and_unconfirmed_visitors_do_not_vote(client, make_user, project, say):
    comment = say(make_user(), "Votami", project=project)

    assert client.post(f"/commenti/{comment.id}/voto", data={"value": "1"}).status_code == 302
    login(client, make_user(confirmed=False))
    assert client.post(f"/commenti/{comment.id}/voto", data={"value": "1"}).status_code == 403


def test_threads_sort_by_oldest_newest_and_best(client, db_session, make_user, project, say):
    author = make_user()
    old, middle, new = (say(author, text, project=project) for text in ("Vecchio", "Medio", "Nuovo"))
    for hours, comment in zip((3, 2, 1), (old, middle, new)):
        comment.created_at -= timedelta(hours=hours)
    middle.upvotes, new.downvotes, old.upvotes = 3, 1, 1
    db_session.commit()

    def order(sort=None):
        page = text_of(client.get(f"/progetti/{project.code}" + (f"?ordine_commenti={sort}" if sort else "")))
        return sorted(("Vecchio", "Medio", "Nuovo"), key=page.index)

    assert order() == order("oldest") == ["Vecchio", "Medio", "Nuovo"]
    assert order("newest") == ["Nuovo", "Medio", "Vecchio"]
    assert order("best") == ["Medio", "Vecchio", "Nuovo"]
    assert order("nonsense") == ["Vecchio", "Medio", "Nuovo"]
    html = client.get(f"/progetti/{project.code}?ordine_commenti=best").get_data(as_text=True)
    assert 'aria-current="true">Migliori' in html


def test_replies_stay_oldest_first_whatever_the_order_of_threads(client, make_user, project, say):
    root = say(make_user(), "Radice", project=project)
    say(make_user(), "Prima risposta", parent=root)
    say(make_user(), "Seconda risposta", parent=root)
    say(make_user(), "Altro filo", project=project)

    page = text_of(client.get(f"/progetti/{project.code}?ordine_commenti=newest"))

    assert page.index("Altro filo") < page.index("Radice") < page.index("Prima risposta") < page.index(
        "Seconda risposta")


def test_bad_comment_pages_are_the_first_or_the_last(client, make_user, project, say):
    say(make_user(), "Solo", project=project)

    for page in ("0", "-3", "abc", "99999999999999"):
        response = client.get(f"/progetti/{project.code}?pagina_commenti={page}")
        assert response.status_code == 200 and "Solo" in text_of(response)


def test_sort_links_lead_to_the_subjects_page_even_after_a_failed_action(client, make_user, make_call,
                                                                         make_proposal, lab, say):
    proposal = make_proposal(call=make_call(lab=lab, phase="proposals"))
    for text in ("Uno", "Due"):
        say(make_user(), text, proposal=proposal)
    login(client, make_user())

    response = client.post(f"/proposte/{proposal.id}/sostieni")  # not the supports phase: shown again

    html = response.get_data(as_text=True)
    assert f'href="/proposte/{proposal.id}?ordine_commenti=newest#commenti"' in html
