"""Following projects, calls and proposals: the button, the "Cosa seguo" page, what cannot be followed."""
import re

import pytest
import sqlalchemy as sa

from civiclab.follows import services
from civiclab.follows.models import Follow
from civiclab.proposals.models import ProposalState
from tests.conftest import login, text_of


def _follows(db_session, user):
    return db_session.scalar(sa.select(sa.func.count(Follow.id)).where(Follow.user_id == user.id))


def _button(page):
    """The follow form's button: (aria-pressed, its words)."""
    match = re.search(r'<form method="post" class="cl-follow[^"]*"\s+action="([^"]+)">.*?'
                      r'aria-pressed="(true|false)">\s*([^<]+)<', page, re.DOTALL)
    return match.group(1), match.group(2), match.group(3).strip()


def test_following_a_project_from_its_page_and_unfollowing_it(client, db_session, make_project, make_user):
    project = make_project(title="Piazza Lucio Dalla")
    user = make_user(confirmed=False)  # following writes nothing others read: no confirmation needed
    login(client, user)
    page = f"/progetti/{project.code}"
    action, pressed, words = _button(client.get(page).get_data(as_text=True))
    assert (action, pressed, words) == (f"/segui/progetto/{project.id}", "false", "Segui")

    response = client.post(action, data={"next": page})
    assert response.status_code == 302 and response.headers["Location"] == page
    action, pressed, words = _button(client.get(page).get_data(as_text=True))
    assert (action, pressed, words) == (f"/non-seguire/progetto/{project.id}", "true", "Non seguire più")
    assert "Piazza Lucio Dalla" in text_of(client.get("/account/cosa-seguo"))

    assert client.post(action, data={"next": page}).status_code == 302
    assert _follows(db_session, user) == 0
    assert "Non segui ancora niente" in text_of(client.get("/account/cosa-seguo"))


def test_following_twice_is_following_once(client, db_session, make_call, make_user):
    call, user = make_call(), make_user()
    login(client, user)
    for _ in range(2):
        assert client.post(f"/segui/call/{call.id}").status_code == 302
    assert _follows(db_session, user) == 1


def test_without_a_page_to_go_back_to_the_button_returns_to_the_followed_page(client, make_proposal, make_user):
    proposal = make_proposal()
    login(client, make_user())
    for url in (f"/segui/proposta/{proposal.id}", f"/non-seguire/proposta/{proposal.id}"):
        for next_ in ("", "https://elsewhere.example.com/", "//elsewhere.example.com"):
            response = client.post(url, data={"next": next_})
            assert response.headers["Location"] == f"/proposte/{proposal.id}"


def test_what_you_cannot_see_cannot_be_followed(client, db_session, make_project, make_call, make_proposal,
                                                make_user):
    user = make_user()
    login(client, user)
    hidden = [
        ("progetto", make_project(published=False).id),
        ("call", make_call(published=False).id),
        ("proposta", make_proposal(state=ProposalState.DRAFT).id),
        ("proposta", make_proposal(state=ProposalState.SUBMITTED).id),
        ("proposta", make_proposal(state=ProposalState.REJECTED).id),
        ("proposta", make_proposal(call=make_call(published=False)).id),
        ("progetto", 0), ("call", 2**40), ("evento", 1),
    ]
    for kind, subject_id in hidden:
        assert client.post(f"/segui/{kind}/{subject_id}").status_code == 404, (kind, subject_id)
        assert client.post(f"/non-seguire/{kind}/{subject_id}").status_code == 404, (kind, subject_id)
    assert _follows(db_session, user) == 0


def test_a_hidden_proposal_cannot_be_followed_but_its_author_may(client, db_session, make_proposal, make_user):
    from civiclab.core.time import utcnow

    author = make_user()
    proposal = make_proposal(author=author, state=ProposalState.SUBMITTED, hidden_at=utcnow())
    login(client, make_user())
    assert client.post(f"/segui/proposta/{proposal.id}").status_code == 404
    login(client, author)
    assert client.post(f"/segui/proposta/{proposal.id}").status_code == 302
    assert _follows(db_session, author) == 1


def test_anonymous_visitors_are_asked_to_sign_in(client, make_project):
    project = make_project()
    response = client.post(f"/segui/progetto/{project.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/accedi")
    page = client.get(f"/progetti/{project.code}").get_data(as_text=True)
    assert "Accedi per seguire" in page and 'class="cl-follow' not in page


def test_with_csrf_on_a_follow_without_the_token_is_refused(app, client, db_session, make_project, make_user,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    project, user = make_project(), make_user()
    login(client, user)
    assert client.post(f"/segui/progetto/{project.id}").status_code == 400
    assert _follows(db_session, user) == 0


def test_cosa_seguo_lists_what_the_user_still_sees_at_a_fixed_number_of_queries(
        client, db_session, make_project, make_call, make_proposal, make_user, count_queries):
    user = make_user()

    def follow_some(n):
        for _ in range(n):
            call = make_call()
            for subject in (call.project, call, make_proposal(call=call)):
                db_session.add(Follow(user_id=user.id, **{services.SUBJECTS[services.kind_of(subject)][1]: subject.id}))
        db_session.commit()

    follow_some(1)
    login(client, user)
    db_session.expire_all()
    with count_queries() as few:
        assert client.get("/account/cosa-seguo").status_code == 200
    follow_some(5)
    db_session.expire_all()
    with count_queries() as many:
        page = text_of(client.get("/account/cosa-seguo"))
    assert len(many) == len(few)
    assert page.count("Non seguire più") == 18

    # a followed proposal that is later rejected, and a call made private, drop out of the list
    gone = make_proposal(state=ProposalState.ACCEPTED, title="Panchine nuove")
    private = make_call(title="Call riservata")
    db_session.add_all([Follow(user_id=user.id, proposal_id=gone.id), Follow(user_id=user.id, call_id=private.id)])
    db_session.commit()
    assert "Panchine nuove" in text_of(client.get("/account/cosa-seguo"))
    gone.state, private.published = ProposalState.REJECTED, False
    db_session.commit()
    page = text_of(client.get("/account/cosa-seguo"))
    assert "Panchine nuove" not in page and "Call riservata" not in page


@pytest.mark.parametrize("kind", ["call", "proposta"])
def test_the_follow_button_is_on_call_and_proposal_pages(client, make_proposal, make_user, kind):
    proposal = make_proposal()
    subject = proposal.call if kind == "call" else proposal
    page_url = f"/call/{subject.id}" if kind == "call" else f"/proposte/{subject.id}"
    login(client, make_user())
    action, pressed, _words = _button(client.get(page_url).get_data(as_text=True))
    assert (action, pressed) == (f"/segui/{kind}/{subject.id}", "false")
    client.post(action, data={"next": page_url})
    action, pressed, _words = _button(client.get(page_url).get_data(as_text=True))
    assert (action, pressed) == (f"/non-seguire/{kind}/{subject.id}", "true")
