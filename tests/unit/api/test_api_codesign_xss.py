"""What is posted through the API is inert on the site's pages: every payload of the XSS corpus
(tests/data/xss_payloads.txt) as a proposal's title, text and place, and as a comment and a reply,
leaves the proposal's public page with no more executable markup than a harmless text does;
bidi controls, zero-width characters and lone surrogates never reach a page (a 422, not a 500)."""
import re
from collections import Counter

import pytest

from civiclab.core.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from civiclab.core.time import utcnow
from civiclab.proposals.models import Proposal, ProposalState
from tests.fixtures.api import bearer
from tests.xss.corpus import PAYLOADS, RAW_SCRIPT, html_dangers

STORABLE = [payload for payload in PAYLOADS if "\0" not in payload]


@pytest.fixture
def call(make_call):
    return make_call(phase="proposals")


@pytest.fixture
def post(client, make_token, make_user):
    token = make_token(make_user())

    def send(url, json):
        return client.post(url, json=json, headers=bearer(token))

    return send


def _published(db_session, proposal_id):
    """The facilitators accept it (its state set as moderate_proposal would, without the mails)."""
    proposal = db_session.get(Proposal, proposal_id)
    proposal.state, proposal.published_at = ProposalState.ACCEPTED, utcnow()
    db_session.commit()


def _dangers(page):
    """What a browser could run in a page: each danger with how often it occurs, and how many raw
    "<script" the markup holds (the page's own scripts are counted too: compare with a harmless page)."""
    return Counter(html_dangers(page)), len(RAW_SCRIPT.findall(page))


def _proposal_page(client, db_session, post, call, text):
    """The public page of a proposal whose title, text and place are `text`, with a comment and a
    reply of `text` posted through the API; and what the API answered for them."""
    answered = post(f"/api/v1/calls/{call.id}/proposals", {
        "title": f"Proposta {text}"[:200], "body": text, "place": text[:200], "theme_id": call.themes[0].id})
    if answered.status_code != 201:
        assert answered.status_code == 422, text  # nothing but markup: no title or text left
        return None, []
    proposal_id = answered.get_json()["id"]
    _published(db_session, proposal_id)
    url = f"/api/v1/proposals/{proposal_id}/comments"
    comment = post(url, {"body": text})
    answers = [answered.get_json()]
    if comment.status_code == 201:
        reply = post(url, {"body": text, "parent_id": comment.get_json()["id"]})
        assert reply.status_code == 201
        answers += [comment.get_json(), reply.get_json()]
    else:
        assert comment.status_code == 422, text  # a text that shows nothing is refused
    page = client.get(f"/proposte/{proposal_id}")
    assert page.status_code == 200
    return page.get_data(as_text=True), answers


def test_every_payload_posted_through_the_api_is_inert_on_the_proposals_page(client, db_session, post, call):
    harmless, _answers = _proposal_page(client, db_session, post, call, "Un testo innocuo.")
    assert "Un testo innocuo." in harmless
    expected = _dangers(harmless)
    shown = 0
    for payload in STORABLE:
        page, answers = _proposal_page(client, db_session, post, call, payload)
        for answer in answers:
            assert html_dangers(answer["body_html"], ALLOWED_TAGS, ALLOWED_ATTRIBUTES) == [], payload
        if page is None:
            continue
        shown += 1
        assert _dangers(page) == expected, payload
    assert shown > len(STORABLE) * 3 // 4


def test_a_nul_byte_through_the_api_is_a_400_not_a_server_error(post, call):
    for payload in PAYLOADS:
        if "\0" in payload:
            response = post(f"/api/v1/calls/{call.id}/proposals", {
                "title": "Proposta", "body": payload, "theme_id": call.themes[0].id})
            assert response.status_code == 400, payload  # refused before any field is read, as on the pages


BIDI_AND_ZERO_WIDTH = "\u202e\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidi_controls_and_zero_width_characters_never_reach_the_page(client, db_session, post, call):
    title = "Comune\u200b di \u202eBologna\u2066"
    body = "Un orto \u202econdiviso\u2069 nel cortile."
    comment = "Sono \u202ed'accordo\u2067."
    answered = post(f"/api/v1/calls/{call.id}/proposals",
                    {"title": title, "body": body, "place": "Via\u200b Libia", "theme_id": call.themes[0].id})
    assert answered.status_code == 201
    proposal = answered.get_json()
    assert proposal["title"] == "Comune di Bologna" and proposal["place"] == "Via Libia"
    _published(db_session, proposal["id"])
    assert post(f"/api/v1/proposals/{proposal['id']}/comments", {"body": comment}).status_code == 201

    page = client.get(f"/proposte/{proposal['id']}").get_data(as_text=True)
    assert "Comune di Bologna" in page and "condiviso" in page and "accordo" in page
    assert not re.search(f"[{BIDI_AND_ZERO_WIDTH}]", page)
    assert "\u200b" not in page.split("<h1>")[1].split("</h1>")[0]  # the title, as a name: no zero-width


@pytest.mark.parametrize("where", ["title", "body", "place", "comment"])
def test_a_lone_surrogate_anywhere_is_a_422_not_a_server_error(client, make_token, make_user, make_proposal,
                                                               call, where):
    headers = {**bearer(make_token(make_user())), "Content-Type": "application/json"}
    if where == "comment":
        proposal = make_proposal(call=call)
        data = '{"body": "Ciao \\ud83d"}'
        response = client.post(f"/api/v1/proposals/{proposal.id}/comments", data=data, headers=headers)
    else:
        fields = {"title": '"Orto"', "body": '"Testo"', "place": '""', where: '"Orto \\udc00 qui"'}
        data = "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + \
            f', "theme_id": {call.themes[0].id}' + "}"
        response = client.post(f"/api/v1/calls/{call.id}/proposals", data=data, headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid"
