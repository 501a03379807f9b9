"""Every payload of the XSS corpus through the sanitiser and through every service that stores user
text: what is stored (and the profile page that shows text as text) carries nothing a browser runs."""
import re

import pytest
import sqlalchemy as sa

from civiclab.core.errors import DomainError
from civiclab.core.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    clean_html,
    plain_text,
    render_markdown,
)
from tests.conftest import login
from tests.xss.corpus import PAYLOADS, html_dangers, page_shape

KINDS = {
    "script tags": r"<\s*script|<scr",
    "event handlers": r"\bon[a-z]+\s*=",
    "javascript: URLs, mixed case and split": r"(?i)j.{0,40}a.{0,8}v.{0,8}a.{0,12}s.{0,8}c.{0,8}r.{0,8}i.{0,8}p.{0,8}t",
    "vbscript: URLs": r"(?i)vbscript:",
    "data: URLs": r"data:",
    "SVG": r"<svg",
    "MathML": r"<math",
    "style, base and meta refresh": r"<style|<base|http-equiv=\"refresh",
    "Markdown links": r"^!?\[.*\]\(",
    "Markdown reference links": r"\[rif\]:",
    "autolinks": r"^<(?i:javascript|vbscript|data):",
    "HTML inside Markdown": r"^(\*\*|> |- |# |`)<",
    "malformed markup": r"^<[^>]*$",
}


def stored_html_dangers(html):
    return html_dangers(html, ALLOWED_TAGS, ALLOWED_ATTRIBUTES)


def plain_text_dangers(text):
    """Plain text shown through autoescaping: no markup at all is left in it (a "<" may stay where
    no parser would open a tag with it: "a < b")."""
    return html_dangers(text, set(), {}) + (["a tag opening"] if re.search(r"<[A-Za-z/!?]", text) else [])


def test_the_corpus_holds_more_than_sixty_payloads_of_every_kind():
    assert len(PAYLOADS) >= 60 and len(set(PAYLOADS)) == len(PAYLOADS)
    for kind, pattern in KINDS.items():
        assert any(re.search(pattern, payload) for payload in PAYLOADS), kind
    assert any("\t" in payload for payload in PAYLOADS)  # "java\tscript:"
    assert any("&#" in payload for payload in PAYLOADS)  # entity-encoded


@pytest.mark.parametrize("html, problem", [
    ('<a href="java&#x09;script:alert(1)">x</a>', "href="),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', "href="),
    ('<a href="&#106;avascript:alert(1)">x</a>', "href="),
    ('<img src="data:image/svg+xml,x">', "<img>"),
    ('<p onclick="x()">x</p>', "onclick="),
    ('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', "content="),
    ("<svg><script>alert(1)</script></svg>", "<svg>"),
    ('<a href="https://example.org" target="_blank">x</a>', "target= is not allowed"),
])
def test_the_checker_finds_what_a_browser_would_run(html, problem):
    assert any(problem in found for found in stored_html_dangers(html))


def test_the_checker_lets_clean_html_through():
    assert stored_html_dangers(render_markdown("Un [link](https://example.org) e **grassetto**.")) == []


# NUL bytes never reach a service: the request is refused first (PostgreSQL text cannot hold them).
STORABLE = [payload for payload in PAYLOADS if "\0" not in payload]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sanitiser_leaves_nothing_that_runs(payload):
    assert stored_html_dangers(render_markdown(payload)) == []
    assert stored_html_dangers(clean_html(payload)) == []  # the user_html filter, shown again
    assert plain_text_dangers(plain_text(payload)) == []


def test_proposals_store_no_payload_that_runs(db_session, make_call, make_user):
    from civiclab.proposals.services import create_proposal

    call, author = make_call(), make_user()
    for payload in STORABLE:
        proposal = create_proposal(author, call, submit=True, title=f"Proposta {payload}", body=payload,
                                   place=payload[:200])
        assert plain_text_dangers(proposal.title) == [], payload
        assert plain_text_dangers(proposal.place) == [], payload
        assert stored_html_dangers(proposal.body_html) == [], payload
        try:
            proposal = create_proposal(author, call, title=payload, body="Testo.")
        except DomainError as error:
            assert error.field == "title"  # nothing but markup: no title left
        else:
            assert plain_text_dangers(proposal.title) == [], payload


def test_calls_store_no_payload_that_runs(db_session, make_project, make_staff):
    from datetime import timedelta

    from civiclab.core.time import utcnow
    from civiclab.proposals.services import create_call

    project = make_project()
    staff = make_staff(project.city)
    now = utcnow()
    for payload in STORABLE:
        call = create_call(staff, city=project.city, project=project, title=f"Call {payload}",
                           description=payload, themes=[payload], proposals_from=now,
                           review_from=now + timedelta(days=1), supports_from=now + timedelta(days=2),
                           closes_at=now + timedelta(days=3))
        assert plain_text_dangers(call.title) == [], payload
        assert all(plain_text_dangers(theme.name) == [] for theme in call.themes), payload
        assert stored_html_dangers(call.description_html) == [], payload


def test_comments_and_replies_store_no_payload_that_runs(db_session, make_proposal, make_user):
    from civiclab.comments.services import post_comment

    proposal, author = make_proposal(), make_user()
    first = post_comment(author, "Un primo commento.", proposal=proposal)
    stored = 0
    for payload in STORABLE:
        try:
            comment = post_comment(author, payload, proposal=proposal)
            reply = post_comment(author, payload, parent=first)
        except DomainError:
            continue
        stored += 1
        assert stored_html_dangers(comment.body_html) == [], payload
        assert stored_html_dangers(reply.body_html) == [], payload
    assert stored > len(STORABLE) * 3 // 4


def test_profile_fields_show_as_text_only(client, db_session, make_user):
    """Name and presentation are stored as typed and shown autoescaped: a payload leaves the
    profile page with the very elements and attributes a harmless text of the same shape does."""
    from civiclab.accounts.models import User
    from civiclab.accounts.services import update_profile

    user = make_user()
    login(client, user)
    for payload in STORABLE:
        harmless = re.sub(r"\S", "x", payload)
        shapes = []
        for text in (harmless, payload):
            # The form allows names of up to 80 characters.
            update_profile(db_session.get(User, user.id), display_name=text[:80], bio=text, locale="it")
            db_session.commit()
            response = client.get("/account/profilo")
            assert response.status_code == 200
            shapes.append(page_shape(response.get_data(as_text=True)))
        assert shapes[1] == shapes[0], payload
    assert db_session.scalar(sa.select(User.bio).where(User.id == user.id)) == STORABLE[-1].strip()


@pytest.mark.parametrize("where", ["form", "query"])
def test_a_nul_byte_in_a_request_is_refused_not_a_server_error(client, make_user, where):
    user = make_user()
    login(client, user)
    fields = {"display_name": "Anna\0", "bio": "<img src=x\0onerror=alert(1)>", "locale": "it"}
    if where == "form":
        response = client.post("/account/profilo/modifica", data=fields)
    else:
        response = client.get("/eventi", query_string={"q": "robot\0"})

    assert response.status_code == 400
    assert "Richiesta non valida" in response.get_data(as_text=True)


def test_a_title_with_line_breaks_is_moderated_and_mailed_on_one_subject_line(
        db_session, make_call, make_user, make_facilitator, make_lab, outbox):
    from civiclab.proposals.models import ProposalState
    from civiclab.proposals.services import create_proposal, moderate_proposal

    lab = make_lab()
    call = make_call(lab=lab)
    author = make_user()
    proposal = create_proposal(author, call, submit=True, title="Orto\r\nBcc: spam@example.org",
                               body="Testo.", theme_id=call.themes[0].id)
    moderate_proposal(make_facilitator(lab), proposal, ProposalState.ACCEPTED, "Chiara.")

    assert proposal.state is ProposalState.ACCEPTED and outbox
    for message in outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
