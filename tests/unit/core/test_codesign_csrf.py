"""CSRF: every POST address refuses a request without the token (Flask-WTF's CSRFProtect, no
exemptions but the API's operations, which read no cookie and refuse a cookie's write with 401),
and every POST form the co-design pages draw carries the token."""
import re

import pytest

from civiclab.accounts.blocks import UserBlock
from civiclab.api.spec import OPERATIONS
from civiclab.comments.models import Comment
from civiclab.moderation.models import Report
from civiclab.notifications.models import Notification
from civiclab.proposals.models import ProposalState
from tests.conftest import login
from tests.unit.core.helpers import CODESIGN, post_urls


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_every_post_address_refuses_a_request_without_the_token(app, client, csrf_on, make_user):
    login(client, make_user(is_admin=True))
    urls = post_urls(app)
    assert any(endpoint.split(".")[0] in CODESIGN for endpoint, _url in urls)

    answers = {endpoint: client.post(url, data={"reason": "x"}).status_code for endpoint, url in urls}

    # The API's operations read no cookie (a token in a header instead): a cookie's write is
    # refused there as unauthenticated, CSRF token or not.
    api = {f"api.{op.endpoint}" for op in OPERATIONS}
    assert {endpoint: status for endpoint, status in answers.items() if endpoint in api and status != 401} == {}
    assert {endpoint: status for endpoint, status in answers.items() if endpoint not in api and status != 400} == {}


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL | re.IGNORECASE)
TOKEN = re.compile(r'name="([\w-]+-)?csrf_token"')  # a form with a prefix names it "<prefix>-csrf_token"


def post_forms_without_token(html):
    return [form[:120] for form in FORM.findall(html)
            if re.search(r'method="post"', form, re.IGNORECASE) and not TOKEN.search(form)]


@pytest.fixture
def pages(db_session, make_lab, make_project, make_call, make_proposal, make_user, make_facilitator):
    """The co-design pages with every POST form on them, and who sees those forms."""
    lab = make_lab()
    facilitator = make_facilitator(lab)
    author, reader = make_user(), make_user()
    call = make_call(project=make_project(city=lab.city), lab=lab, phase="supports")
    accepted = make_proposal(call=call, author=author)
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT)
    submitted = make_proposal(call=call, state=ProposalState.SUBMITTED)
    comment = Comment(proposal=accepted, author=author, body="Sì", body_html="<p>Sì</p>")
    db_session.add(comment)
    db_session.flush()
    db_session.add_all([Report(comment=comment, reporter=reader, reason="Spam"),
                        UserBlock(user=make_user(), reason="Spam", blocked_by=facilitator, city_id=lab.city_id),
                        Notification(user=reader, kind="test", message="Novità", url="/")])
    db_session.commit()
    return [
        (reader, f"/proposte/{accepted.id}"),
        (author, f"/proposte/{accepted.id}"),
        (author, f"/proposte/{accepted.id}/ritira"),
        (author, f"/proposte/{draft.id}/modifica"),
        (author, f"/commenti/{comment.id}/modifica"),
        (reader, f"/commenti/{comment.id}/segnala"),
        (facilitator, f"/commenti/{comment.id}/nascondi"),
        (facilitator, f"/moderazione/proposte/{submitted.id}"),
        (facilitator, "/moderazione/segnalazioni"),
        (facilitator, "/moderazione/blocchi"),
        (facilitator, f"/moderazione/utenti/{author.id}/blocca"),
        (reader, "/notifiche"),
        (reader, "/notifiche/preferenze"),
        (reader, f"/call/{call.id}"),
        (author, "/account/cosa-seguo"),
    ]


def test_every_post_form_on_the_codesign_pages_carries_the_token(client, csrf_on, pages):
    missing = {}
    for user, url in pages:
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'method="post"' in response.text.lower(), url
        if found := post_forms_without_token(response.text):
            missing[url] = found

    assert missing == {}


def test_a_prefixed_form_is_accepted_with_the_token_its_page_drew(client, db_session, csrf_on, make_lab,
                                                                   make_facilitator, make_user):
    lab = make_lab()
    facilitator = make_facilitator(lab)
    block = UserBlock(user=make_user(), reason="Spam", blocked_by=facilitator, city_id=lab.city_id)
    db_session.add(block)
    db_session.commit()
    login(client, facilitator)
    page = client.get("/moderazione/blocchi").text
    token = re.search(rf'name="revoca-{block.id}-csrf_token"[^>]*value="([^"]+)"', page).group(1)

    response = client.post(f"/moderazione/blocchi/{block.id}/revoca",
                           data={f"revoca-{block.id}-csrf_token": token, f"revoca-{block.id}-reason": "Chiarito"})

    assert response.status_code == 302
    db_session.refresh(block)
    assert block.lifted_at is not None
