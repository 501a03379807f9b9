"""Personal access tokens on their page (/account/token-api): made by a confirmed person who is
not blocked, shown once and stored as a digest, listed, revoked (then the API refuses them), never
another's; revoked on a block, deleted with the account, in the export without a secret; a read
token cannot write; each token has its own API read budget."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.api.auth import digest
from civiclab.api.models import AccessToken
from civiclab.core.errors import DomainError
from civiclab.core.time import utcnow
from tests.conftest import DEMO_PASSWORD, login, text_of
from tests.fixtures.api import bearer

PAGE = "/account/token-api"
CREATE = "/account/token-api/nuovo"
SECRET = re.compile(r"clk_[A-Za-z0-9_-]{43}")


def form_key_in(response):
    return re.search(r'name="form_key" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def token_form(client, **fields):
    return {"name": "Script di quartiere", "scopes": "read", "lifetime": "90",
            "form_key": form_key_in(client.get(PAGE)), **fields}


def rows_of(db_session, user):
    return db_session.scalars(sa.select(AccessToken).where(AccessToken.user_id == user.id)
                              .order_by(AccessToken.id)).all()


@pytest.fixture
def person(client, make_user):
    user = make_user()
    login(client, user)
    return user


# ---- making one: shown once, kept as a digest ---------------------------------------------

def test_a_new_token_is_shown_once_and_only_its_digest_is_kept(client, person, db_session):
    made = client.post(CREATE, data=token_form(client, scopes="read write", lifetime="30"))
    assert made.status_code == 302 and made.headers["Location"].startswith(PAGE)

    shown = client.get(PAGE)
    secrets_shown = SECRET.findall(shown.get_data(as_text=True))
    assert len(secrets_shown) == 1
    secret = secrets_shown[0]
    [row] = rows_of(db_session, person)
    assert row.token_hash == digest(secret) and secret.startswith(row.prefix)
    assert all(secret not in str(value) for value in (row.name, row.scopes, row.token_hash, row.prefix))
    assert row.scope_set == {"read", "write"}
    assert timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30)

    assert secret not in client.get(PAGE).get_data(as_text=True)  # a reload, or Back: gone
    assert client.get("/api/v1/cities", headers=bearer(secret)).status_code == 200


def test_the_token_page_is_never_stored_by_a_browser(client, person):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]


def test_a_token_without_expiry_lasts_until_revoked(client, person, db_session):
    client.post(CREATE, data=token_form(client, lifetime="never"))
    assert rows_of(db_session, person)[0].expires_at is None


def test_the_same_form_sent_twice_makes_one_token(client, person, db_session):
    data = token_form(client)
    first = client.post(CREATE, data=data)
    again = client.post(CREATE, data=data)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert len(rows_of(db_session, person)) == 1
    page = client.get(PAGE)
    assert len(SECRET.findall(page.get_data(as_text=True))) == 1  # shown once, on the first result
    assert "Già inviato" in text_of(page)


def test_a_name_is_required_and_a_bad_choice_is_refused(client, person, db_session):
    assert client.post(CREATE, data=token_form(client, name="")).status_code == 422
    assert client.post(CREATE, data=token_form(client, scopes="admin")).status_code == 422
    assert client.post(CREATE, data=token_form(client, lifetime="7")).status_code == 422
    assert rows_of(db_session, person) == []


def test_a_name_loses_its_invisible_characters(client, person, db_session):
    client.post(CREATE, data=token_form(client, name="\u202eScript\u200b  di\u2066 prova\u2069\ufeff"))
    assert rows_of(db_session, person)[0].name == "Script di prova"


def test_a_name_with_nothing_visible_is_refused(client, person, db_session):
    response = client.post(CREATE, data=token_form(client, name="\u200b\u202e\u3164"))
    assert response.status_code == 422 and "lettere o cifre visibili" in text_of(response)
    assert rows_of(db_session, person) == []


def test_a_name_with_a_lone_surrogate_is_refused(app, person):
    from civiclab.api.token_services import create_token

    with app.test_request_context(), pytest.raises(DomainError) as refused:
        create_token(person, "Script \ud800", "read", 90)
    assert refused.value.field == "name"


def test_an_eleventh_live_token_is_refused(client, person, make_token, db_session):
    make_token(person, name="vecchio", revoked_at=utcnow())  # neither counts
    make_token(person, name="scaduto", expires_at=utcnow() - timedelta(days=1))
    for n in range(9):
        make_token(person, name=f"token {n}")
    assert client.post(CREATE, data=token_form(client, name="decimo")).status_code == 302
    refused = client.post(CREATE, data=token_form(client, name="undicesimo"))
    assert refused.status_code == 422 and "Hai già 10 token attivi" in text_of(refused)
    assert len(rows_of(db_session, person)) == 12


# ---- who may ------------------------------------------------------------------------------

def test_an_unconfirmed_account_is_told_to_confirm_and_refused(client, make_user, db_session):
    user = make_user(confirmed=False)
    login(client, user)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Conferma il tuo indirizzo email per creare un token API" in text_of(page)
    assert 'action="/account/token-api/nuovo"' not in page.get_data(as_text=True)
    refused = client.post(CREATE, data={"name": "Script", "scopes": "read", "lifetime": "90"})
    assert refused.status_code == 403 and "Conferma il tuo indirizzo email" in text_of(refused)
    assert not refused.is_json
    assert rows_of(db_session, user) == []


def test_the_token_pages_check_csrf_though_their_names_are_the_apis(app, client, person, make_token,
                                                                   monkeypatch, db_session):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    row = make_token.rows[make_token(person)]
    refused = client.post(CREATE, data={"name": "Senza token CSRF", "scopes": "read", "lifetime": "90"})
    assert refused.status_code == 400 and not refused.is_json
    assert client.post(f"{PAGE}/{row.id}/revoca").status_code == 400
    db_session.refresh(row)
    assert row.revoked_at is None and len(rows_of(db_session, person)) == 1


def test_a_visitor_is_sent_to_sign_in(client):
    assert client.get(PAGE).headers["Location"].startswith("/account/accedi")
    assert client.post(CREATE, data={"name": "x"}).headers["Location"].startswith("/account/accedi")


def test_another_persons_token_is_not_found(client, person, make_user, make_token, db_session):
    other = make_user()
    secret = make_token(other, name="di un altro")
    row = make_token.rows[secret]
    page = client.get(PAGE)
    assert "di un altro" not in text_of(page)
    assert client.get(f"{PAGE}/{row.id}/revoca").status_code == 404
    assert client.post(f"{PAGE}/{row.id}/revoca").status_code == 404
    db_session.refresh(row)
    assert row.revoked_at is None


# ---- the list and revoking ----------------------------------------------------------------

def test_the_list_shows_each_token_without_its_secret(client, person, make_token, db_session):
    secret = make_token(person, scopes="read", name="Cruscotto", expires_at=utcnow() + timedelta(days=5))
    make_token(person, scopes="read write", name="Bot", revoked_at=utcnow())
    page = client.get(PAGE)
    text = text_of(page)
    assert "Cruscotto" in text and "solo lettura" in text and make_token.rows[secret].prefix in text
    assert "Bot" in text and "lettura e scrittura" in text and "revocato il" in text
    assert "mai usato" in text and secret not in page.get_data(as_text=True)


def test_the_list_costs_the_same_queries_for_one_token_or_many(client, person, make_token, count_queries):
    make_token(person)
    with count_queries() as one:
        client.get(PAGE)
    for n in range(7):
        make_token(person, name=f"altro {n}")
    with count_queries() as many:
        client.get(PAGE)
    assert len(many) == len(one)


def test_a_revoked_token_is_refused_by_the_api(client, person, make_token, db_session):
    secret = make_token(person, name="Da revocare")
    row = make_token.rows[secret]
    asked = client.get(f"{PAGE}/{row.id}/revoca")
    assert asked.status_code == 200 and "Da revocare" in text_of(asked)
    assert make_token.rows[secret].revoked_at is None  # asking changes nothing
    done = client.post(f"{PAGE}/{row.id}/revoca")
    assert done.status_code == 302
    db_session.refresh(row)
    assert row.revoked_at is not None
    refused = client.get("/api/v1/cities", headers=bearer(secret))
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"
    again = client.post(f"{PAGE}/{row.id}/revoca")
    assert again.status_code == 302 and "era già revocato" in text_of(client.get(PAGE))


# ---- blocks, deletion, export -------------------------------------------------------------

def test_a_block_revokes_every_token_and_no_new_one_is_made_while_it_lasts(app, client, person, make_user,
                                                                           make_token, db_session):
    from civiclab.moderation import services as moderation

    secret = make_token(person)
    with app.test_request_context():
        moderation.block_user(make_user(is_admin=True), person, "Spam ripetuto")
    db_session.commit()
    assert client.get("/api/v1/cities", headers=bearer(secret)).status_code == 401

    login(client, person)  # the block signed them out everywhere
    page = client.get(PAGE)
    assert "bloccato" in text_of(page) and "Spam ripetuto" in text_of(page)
    refused = client.post(CREATE, data={"name": "Di nuovo", "scopes": "read", "lifetime": "90"})
    assert refused.status_code == 403 and "bloccato" in text_of(refused)
    assert len(rows_of(db_session, person)) == 1


def test_deleting_the_account_deletes_its_tokens(person, make_token, db_session):
    from civiclab.accounts.services import delete_account

    make_token(person)
    make_token(person, revoked_at=utcnow())
    delete_account(person, DEMO_PASSWORD)
    db_session.commit()
    assert rows_of(db_session, person) == []


def test_the_export_lists_tokens_without_secrets(client, person, make_token):
    secret = make_token(person, scopes="read", name="Esportato")
    response = client.get("/account/i-miei-dati.json")
    [exported] = response.get_json()["access_tokens"]
    assert exported["name"] == "Esportato" and exported["scopes"] == ["read"]
    assert exported["starts_with"] == make_token.rows[secret].prefix
    body = response.get_data(as_text=True)
    assert secret not in body and make_token.rows[secret].token_hash not in body


# ---- scopes and rate limits on the API ----------------------------------------------------

def test_a_read_token_may_read_but_not_write(app, person, make_token):
    from flask import g

    from civiclab.api.errors import ApiError
    from civiclab.api.spec import Operation, _authorised

    read, write = make_token(person, scopes="read"), make_token(person, scopes="read write")
    assert make_token.rows[read].allows("read") and not make_token.rows[read].allows("write")
    assert make_token.rows[write].allows("read") and make_token.rows[write].allows("write")
    writing = Operation(method="POST", rule="/prova", endpoint="prova", summary="", tag="", auth="write")
    with (app.test_request_context("/api/v1/prova", method="POST", headers=bearer(read)),
          pytest.raises(ApiError) as refused):
        _authorised(writing)
    assert refused.value.status == 403 and refused.value.code == "insufficient_scope"
    with app.test_request_context("/api/v1/prova", method="POST", headers=bearer(write)):
        g.pop("api_token", None)  # the app context's g outlives the request above
        assert _authorised(writing) is not None


def test_each_token_has_its_own_read_budget(limited_app, limited_client, make_user, make_token, monkeypatch):
    monkeypatch.setitem(limited_app.config, "RATELIMIT_API_READ", "2 per minute")
    user = make_user()
    first, second = make_token(user, name="uno"), make_token(user, name="due")
    answers = [limited_client.get("/api/v1/cities", headers=bearer(first)).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert [limited_client.get("/api/v1/cities", headers=bearer(second)).status_code
            for _ in range(2)] == [200, 200]
    limited = limited_client.get("/api/v1/cities", headers=bearer(second))
    assert limited.status_code == 429
    assert set(limited.get_json()["error"]) == {"code", "message", "fields"}
    assert limited.get_json()["error"]["code"] == "too_many_requests"


def test_a_wrong_token_is_a_401_when_limits_are_on(limited_client):
    response = limited_client.get("/api/v1/cities", headers=bearer("clk_not-a-token"))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_the_person_is_mailed_when_a_token_is_made_in_their_name(client, person, outbox, db_session):
    made = client.post(CREATE, data=token_form(client, name="Script notturno", scopes="read write"))
    assert made.status_code == 302
    (mail,) = [message for message in outbox if person.email in message.recipients]
    assert "Script notturno" in mail.body and "clk_" in mail.body  # its first characters, never the secret
    prefix = next(row for row in rows_of(db_session, person)).prefix
    assert prefix in mail.body and len([word for word in mail.body.split() if word.startswith("clk_")]) == 1
