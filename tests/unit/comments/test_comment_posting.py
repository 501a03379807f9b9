"""Posting comments and replies: who may, where, what is stored, and what the page shows."""
from datetime import timedelta

import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.comments.models import Comment, Stance
from civiclab.core.time import utcnow
from civiclab.proposals.models import ProposalState
from tests.conftest import login, text_of


def comments_of(db_session, **where):
    return db_session.scalars(sa.select(Comment).filter_by(**where).order_by(Comment.id)).all()


def test_a_confirmed_participant_comments_a_published_project(client, db_session, make_user, project):
    user = make_user(display_name="Anna Verdi")
    login(client, user)

    response = client.post("/commenti", data={"project_id": project.id, "body": "Quando **inizia**?"})

    [comment] = comments_of(db_session, project_id=project.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/progetti/{project.code}#commento-{comment.id}")
    assert comment.body_html.strip() == "<p>Quando <strong>inizia</strong>?</p>"
    page = text_of(client.get(f"/progetti/{project.code}"))
    assert "Commenti 1" in page and "Anna Verdi" in page and "Quando inizia" in page


def test_replies_three_levels_deep_and_more_are_shown_nested_with_whom_they_answer(
        client, db_session, make_user, project, say):
    anna, bruno, carla, dario = (make_user(display_name=name) for name in ("Anna", "Bruno", "Carla", "Dario"))
    first = say(anna, "Primo", project=project)
    second = say(bruno, "Secondo", parent=first)
    third = say(carla, "Terzo", parent=second)
    fourth = say(dario, "Quarto", parent=third)
    fifth = say(anna, "Quinto", parent=fourth)

    assert [c.depth for c in (first, second, third, fourth, fifth)] == [0, 1, 2, 3, 4]
    assert {c.root_id for c in (second, third, fourth, fifth)} == {first.id}
    assert (second.parent_id, fifth.parent_id) == (first.id, fourth.id)
    html = client.get(f"/progetti/{project.code}").get_data(as_text=True)
    # Each level is a list inside the comment it answers; the fifth sits beside the fourth.
    for outer, inner in ((first, second), (second, third), (third, fourth)):
        start = html.index(f'id="commento-{outer.id}"')
        end = html.index("</article>", html.index(f'id="commento-{inner.id}"'))
        assert start < html.index(f'id="commento-{inner.id}"') < end
    assert f'<h6 class="h6 mb-1" id="commento-{fourth.id}-titolo">' in html
    assert f'<h6 class="h6 mb-1" id="commento-{fifth.id}-titolo">' in html
    fifth_article = html[html.index(f'id="commento-{fifth.id}"'):]
    assert "in risposta a Dario" in text_of_html(fifth_article[:fifth_article.index("</article>")])


def text_of_html(fragment):
    class Fake:
        def get_data(self, as_text=True):
            return fragment
    return text_of(Fake())


def test_a_stance_is_taken_on_a_proposal_and_shown(in_request, client, db_session, make_user, proposal, say):
    say(make_user(display_name="Anna"), "Sono d'accordo", proposal=proposal, stance=Stance.IN_FAVOUR)
    user = make_user()
    login(client, user)

    response = client.post("/commenti", data={"proposal_id": proposal.id, "body": "Non mi convince",
                                              "stance": "against"})

    assert response.status_code == 302
    stances = [c.stance for c in comments_of(db_session, proposal_id=proposal.id)]
    assert stances == [Stance.IN_FAVOUR, Stance.AGAINST]
    db_session.refresh(proposal)
    assert proposal.comments_count == 2
    page = text_of(client.get(f"/proposte/{proposal.id}"))
    assert "A favore" in page and "Contrario" in page


def test_replies_and_project_comments_take_no_stance(in_request, make_user, project, proposal, say):
    import pytest

    from civiclab.comments import services
    from civiclab.core.errors import DomainError

    root = say(make_user(), "Idea", proposal=proposal)
    with pytest.raises(DomainError):
        services.post_comment(make_user(), "Sì", parent=root, stance="in_favour")
    with pytest.raises(DomainError):
        services.post_comment(make_user(), "Sì", project=project, stance="in_favour")
    with pytest.raises(DomainError):
        services.post_comment(make_user(), "Sì", proposal=proposal, stance="entusiasta")


def test_an_empty_comment_is_shown_again_with_the_message(client, db_session, make_user, project):
    login(client, make_user())

    response = client.post("/commenti", data={"project_id": project.id, "body": "   "})

    assert response.status_code == 422
    assert "Scrivi il testo del commento." in text_of(response)
    assert comments_of(db_session, project_id=project.id) == []


def test_an_oversized_comment_keeps_the_text_typed(client, db_session, make_user, project):
    login(client, make_user())
    body = "Lungo " * 1000

    response = client.post("/commenti", data={"project_id": project.id, "body": body})

    assert response.status_code == 422
    assert "al massimo 5000 caratteri" in text_of(response)
    assert body.strip() in response.get_data(as_text=True)
    assert comments_of(db_session, project_id=project.id) == []


def test_a_form_without_subject_or_with_an_absurd_one_is_refused(client, make_user, project):
    login(client, make_user())

    assert client.post("/commenti", data={"body": "Ciao"}).status_code == 400
    assert client.post("/commenti", data={"body": "Ciao", "project_id": project.id,
                                          "proposal_id": 1}).status_code == 400
    assert client.post("/commenti", data={"body": "Ciao", "proposal_id": "99999999999"}).status_code == 400
    assert client.post("/commenti", data={"body": "Ciao", "proposal_id": 987654}).status_code == 404
    assert client.post("/commenti/987654/risposta", data={"body": "Ciao"}).status_code == 404


def test_unconfirmed_accounts_may_not_comment(client, db_session, make_user, project):
    login(client, make_user(confirmed=False))

    page = text_of(client.get(f"/progetti/{project.code}"))
    response = client.post("/commenti", data={"project_id": project.id, "body": "Spam"})

    assert "Conferma il tuo indirizzo email per commentare" in page
    assert response.status_code == 403
    assert comments_of(db_session, project_id=project.id) == []


def test_a_blocked_user_is_told_why_and_until_when_and_cannot_post(client, db_session, make_user, project, say):
    user = make_user()
    root = say(make_user(), "Primo", project=project)
    db_session.add(UserBlock(user=user, reason="Insulti ripetuti", ends_at=utcnow() + timedelta(days=7)))
    db_session.commit()
    login(client, user)

    page = text_of(client.get(f"/progetti/{project.code}"))
    posted = client.post("/commenti", data={"project_id": project.id, "body": "Eccomi"})
    replied = client.post(f"/commenti/{root.id}/risposta", data={"body": "Eccomi"})

    assert "bloccato fino al" in page and "Insulti ripetuti" in page
    assert "Pubblica il commento" not in page
    assert posted.status_code == replied.status_code == 403
    assert "Insulti ripetuti" in text_of(posted)
    assert len(comments_of(db_session, project_id=project.id)) == 1


def test_anonymous_visitors_are_invited_to_sign_in(client, project):
    page = client.get(f"/progetti/{project.code}")

    assert "Accedi per commentare" in text_of(page)
    assert client.post("/commenti", data={"project_id": project.id, "body": "x"}).status_code == 302


def test_proposals_not_public_or_in_a_closed_call_take_no_comments(
        client, db_session, make_user, make_call, make_proposal, lab):
    author, other = make_user(), make_user()
    closed = make_proposal(call=make_call(lab=lab, phase="closed"))
    submitted = make_proposal(call=make_call(lab=lab), author=author, state=ProposalState.SUBMITTED)
    login(client, other)

    assert client.post("/commenti", data={"proposal_id": submitted.id, "body": "Ciao"}).status_code == 404
    response = client.post("/commenti", data={"proposal_id": closed.id, "body": "Ciao"})
    assert response.status_code == 422
    assert "I commenti sono chiusi" in text_of(response)
    login(client, author)
    response = client.post("/commenti", data={"proposal_id": submitted.id, "body": "Ciao"})
    assert response.status_code == 422
    assert "solo le proposte pubblicate" in text_of(response)
    assert db_session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_a_draft_project_takes_no_comments_and_hides_its_own(client, make_user, make_project, lab):
    draft = make_project(city=lab.city, published=False)
    login(client, make_user())

    assert client.post("/commenti", data={"project_id": draft.id, "body": "Ciao"}).status_code == 404


def test_xss_payloads_are_stored_without_anything_that_runs(client, db_session, make_user, project):
    login(client, make_user())
    payloads = [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<svg onload=alert(1)>",
        "<javascript:alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<iframe src=//evil.example></iframe>",
        "![x](x\" onerror=\"alert(1))",
    ]
    for payload in payloads:
        assert client.post("/commenti", data={"project_id": project.id, "body": payload}).status_code == 302
    stored = [c.body_html for c in comments_of(db_session, project_id=project.id)]
    assert len(stored) == len(payloads)
    for html in stored:
        assert dangerous_markup(html) == [], html
    page = client.get(f"/progetti/{project.code}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page.lower()


def dangerous_markup(html):
    """Tags, event handlers and URLs that could run in a browser (parsed, not searched as text)."""
    from html.parser import HTMLParser

    found = []

    class Checker(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "iframe", "svg", "img", "object", "embed", "style", "math", "base", "meta", "form"):
                found.append(tag)
            for name, value in attrs:
                url = "".join((value or "").split()).lower()
                if name.startswith("on") or url.startswith(("javascript:", "vbscript:", "data:")):
                    found.append(f"{tag} {name}={value}")

    Checker().feed(html)
    return found


def test_posting_is_rate_limited_per_person_with_a_clear_message(limited_client, db_session, make_user, project,
                                                                 say):
    root = say(make_user(), "Primo", project=project)
    user = make_user()
    login(limited_client, user)

    statuses = [
        limited_client.post("/commenti", data={"project_id": project.id, "body": "Uno"}).status_code,
        limited_client.post(f"/commenti/{root.id}/risposta", data={"body": "Due"}).status_code,
    ]
    refused = limited_client.post("/commenti", data={"project_id": project.id, "body": "Tre"})

    assert statuses == [302, 302]
    assert refused.status_code == 429
    assert "Stai commentando troppo in fretta" in text_of(refused)
    assert len(comments_of(db_session, project_id=project.id)) == 3
    # Someone else still may.
    login(limited_client, make_user())
    assert limited_client.post("/commenti", data={"project_id": project.id, "body": "Io sì"}).status_code == 302


def test_comment_address_leads_to_its_place_on_the_page(client, db_session, make_user, project, say):
    from civiclab.comments.queries import PER_PAGE

    author = make_user()
    comments = [say(author, f"Commento {n}", project=project) for n in range(PER_PAGE + 1)]
    reply = say(make_user(), "Risposta", parent=comments[-1])

    response = client.get(f"/commenti/{reply.id}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/progetti/{project.code}?pagina_commenti=2#commento-{reply.id}")
    assert client.get(response.headers["Location"]).status_code == 200
    assert "Risposta" in text_of(client.get(f"/progetti/{project.code}?pagina_commenti=2"))
    assert client.get("/commenti/987654").status_code == 404
