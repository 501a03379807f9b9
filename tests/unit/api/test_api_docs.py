"""The API's documentation page (read from its OpenAPI document), the token command for
administrators, and what the schemathesis run made the frame answer (405 with Allow, 404 for an
address no method finds, NUL refused, strict JSON bodies, the document's 414)."""
import re
from itertools import pairwise

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from civiclab.api import documentation
from civiclab.api.schemas import Id, Input, Line, Page, Schema, date, field
from civiclab.api.spec import holds_nul

PAGE = "/api/v1/documentazione"


# ---- the page ------------------------------------------------------------------------------

def test_the_documentation_page_shows_every_operation_of_the_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert f'id="op-{operation["operationId"]}"' in page, f"{method.upper()} {path}"
            assert f"<code>{path}</code>" in page
    assert 'href="/api/v1/openapi.json"' in page
    assert "Authorization: Bearer clk_" in page and "links.next" in page and "If-None-Match" in page
    # the city's fields, with their Italian labels, resolved from the $refs
    assert "<code>data[].slug</code>" in page and "Indirizzo" in page and "<code>links.next</code>" in page


def test_the_page_holds_no_inline_script_or_style_and_its_tables_have_captions(client):
    page = client.get(PAGE).get_data(as_text=True)
    assert "<script>" not in re.sub(r"<script src=[^>]*>", "", page) and "style=" not in page
    main = page[page.index("<main"):page.index("</main>")]
    assert main.count("<table") == main.count("<caption") > 0
    headings = [int(level) for level in re.findall(r"<h([1-6])", main)]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in pairwise(headings))


def test_the_page_follows_the_readers_chosen_language(client):
    client.get("/lingua/en?next=/")
    page = client.get(PAGE).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<td lang="it">Indirizzo</td>' in page  # the Italian labels are marked as such
    client.get("/lingua/it?next=/")
    page = client.get(PAGE).get_data(as_text=True)
    assert '<html lang="it">' in page and '<span lang="en">Cities</span>' in page


def test_the_footer_and_the_open_data_page_link_the_documentation(client):
    assert f'href="{PAGE}"' in client.get("/").get_data(as_text=True)
    assert f'href="{PAGE}"' in client.get("/dati-aperti").get_data(as_text=True)


class Child(Schema):
    name: str = field("Nome", "Its name.")
    children: list["Child"] = field("Figli", "Its children.")


class Body(Input):
    title: Line = field("Titolo", "A title.", min_length=3, max_length=80)
    seats: int = field("Posti", "Seats.", 1, ge=1, le=10)
    when: date | None = field("Quando", "A day.", None)
    target: Id | None = field("Bersaglio", "An id.", None)


def test_the_reader_spells_out_bodies_nested_lists_and_recursive_models():
    from civiclab.api.openapi import document
    from civiclab.api.spec import Operation

    ops = [Operation(method="POST", rule="/things/<id:thing_id>", endpoint="make", summary="Make", tag="events",
                     body=Body, response=Page[Child], status=201, auth="write")]
    tags = documentation.tags(document(ops, title="t", version="1"))
    op = tags[0].operations[0]
    assert op.needs_token and op.status == "201" and op.anchor == "op-make"
    assert [(p.name, p.where, p.required) for p in op.parameters] == [("thing_id", "path", True)]
    body = {row.name: row for row in op.body}
    assert body["title"].required and body["title"].label_it == "Titolo" and "80" in body["title"].constraints
    assert body["when"].type == "string (date) | null" and not body["when"].required
    names = [row.name for row in op.response]
    assert names == ["data", "data[].name", "data[].children", "links", "links.next"]  # recursion named once
    assert "413" in op.errors and "414" in op.errors


def test_backticks_in_the_document_become_code():
    assert documentation.segments("see `links.next` here") == [("see ", False), ("links.next", True), (" here", False)]


# ---- the token command ---------------------------------------------------------------------

def test_an_administrator_issues_a_token_from_the_command_line(app, db_session, make_user):
    from civiclab.api.auth import digest
    from civiclab.api.models import AccessToken

    user = make_user()
    db_session.commit()
    result = app.test_cli_runner().invoke(
        args=["api-token", "create", user.email.upper(), "--name", "script", "--scopes", "write read"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    row = db_session.scalar(sa.select(AccessToken).where(AccessToken.token_hash == digest(token)))
    assert row.user_id == user.id and row.scopes == "read write" and row.name == "script"


@pytest.mark.parametrize("arguments", [["nobody@example.org", "--name", "x"],
                                       ["{email}", "--name", "x", "--scopes", "admin"],
                                       ["{email}", "--name", " "]])
def test_the_token_command_refuses_unknown_people_scopes_and_names(app, db_session, make_user, arguments):
    user = make_user()
    db_session.commit()
    args = ["api-token", "create", *[argument.format(email=user.email) for argument in arguments]]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0 and "clk_" not in result.output


# ---- what schemathesis made the frame answer ------------------------------------------------

def test_a_method_an_address_does_not_take_is_a_405_with_allow(client):
    response = client.delete("/api/v1/cities/torino")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_an_address_no_method_finds_is_a_404_whatever_the_method(client):
    # /eventi/<id:event_id> exists for GET; id 0 matches no rule, whatever the method
    assert client.delete("/eventi/0").status_code == 404
    assert client.delete("/eventi/1").status_code == 405


def test_a_nul_in_an_api_address_is_a_400_in_the_error_shape(client):
    response = client.get("/api/v1/cities/a%00b")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_a_nul_escaped_in_a_json_body_is_found_and_an_escaped_backslash_is_not():
    assert holds_nul(rb'{"title": "a\u0000b"}') and holds_nul(rb'{"title": "a\\\u0000"}')
    assert not holds_nul(rb'{"title": "a\\u0000"}')  # the text \u0000, not a NUL


def test_request_bodies_take_json_types_only():
    assert Body.model_validate_json('{"title": "Una", "seats": 2, "when": "2026-12-04"}').seats == 2
    for wrong in ('{"title": "Una", "seats": "2"}', '{"title": "Una", "when": 0}', '{"title": "Una", "seats": true}'):
        with pytest.raises(ValidationError):
            Body.model_validate_json(wrong)


def test_the_document_says_the_front_server_may_answer_414_without_json(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for item in document["paths"].values():
        for operation in item.values():
            assert "414" in operation["responses"] and "content" not in operation["responses"]["414"]


def test_the_api_speaks_the_language_asked_for_not_the_tokens_persons(app, db_session, make_user):
    from flask import g
    from flask_babel import get_locale, refresh

    person = make_user(locale="en")
    for headers, expected in (({}, "it"), ({"Accept-Language": "en"}, "en")):
        with app.test_request_context("/api/v1/cities", headers=headers):
            g._login_user = person  # as authenticate() leaves it for a token's request
            refresh()
            assert get_locale().language == expected
    with app.test_request_context(PAGE):
        g._login_user = person  # the documentation page is a page: its reader's account language
        refresh()
        assert get_locale().language == "en"


def test_the_token_command_issues_the_token_when_the_mail_server_does_not_answer(app, db_session, make_user,
                                                                                  monkeypatch):
    from civiclab.api import mails

    def refused(*_args, **_kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(mails, "send_mail", refused)
    user = make_user()
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["api-token", "create", user.email, "--name", "script"])
    assert result.exit_code == 0 and result.output.strip().startswith("clk_"), result.output
