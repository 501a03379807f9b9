import pytest

from tests.conftest import DEMO_PASSWORD, login
from tests.unit.accounts.helpers import without_csrf_tokens


def test_login_signs_the_user_in_and_goes_home(client, make_user):
    user = make_user(email="mario@example.org")

    response = client.post("/account/accedi", data={"email": "mario@example.org", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account/profilo").status_code == 200
    assert user.email in client.get("/account/profilo").text


def test_login_accepts_the_email_in_any_case(client, make_user):
    make_user(email="mario@example.org")
    response = client.post("/account/accedi", data={"email": " Mario@Example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user(email="mario@example.org")

    wrong = client.post("/account/accedi", data={"email": "mario@example.org", "password": "Sbagliata-123"})
    unknown = client.post("/account/accedi", data={"email": "nessuno@example.org", "password": "Sbagliata-123"})

    assert wrong.status_code == unknown.status_code == 422
    assert "Email o password non corretti." in wrong.text
    assert (without_csrf_tokens(wrong.text).replace("mario@example.org", "X")
            == without_csrf_tokens(unknown.text).replace("nessuno@example.org", "X"))
    assert client.get("/account/profilo").status_code == 302


def test_remember_me_sets_the_remember_cookie(client, make_user):
    make_user(email="mario@example.org")

    remembered = client.post("/account/accedi", data={
        "email": "mario@example.org", "password": DEMO_PASSWORD, "remember": "y"})

    cookies = remembered.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_without_remember_me_no_remember_cookie_is_set(client, make_user):
    make_user(email="mario@example.org")
    response = client.post("/account/accedi", data={"email": "mario@example.org", "password": DEMO_PASSWORD})
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("target", ["/citta", "/account/profilo?tab=1"])
def test_login_follows_a_same_site_next(client, make_user, target):
    make_user(email="mario@example.org")
    response = client.post(f"/account/accedi?next={target}",
                           data={"email": "mario@example.org", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_login_ignores_a_next_leaving_the_site(client, make_user, target):
    make_user(email="mario@example.org")
    response = client.post("/account/accedi", query_string={"next": target},
                           data={"email": "mario@example.org", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/"


def test_an_unconfirmed_user_can_sign_in_and_is_told_to_confirm(client, make_user):
    make_user(email="mario@example.org", confirmed=False)
    response = client.post("/account/accedi", data={"email": "mario@example.org", "password": DEMO_PASSWORD},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Conferma il tuo indirizzo email" in response.text


def test_logout_needs_a_post(client, make_user):
    user = make_user()
    login(client, user)

    page = client.get("/account/esci")

    assert page.status_code == 200
    assert "Vuoi uscire" in page.text
    assert client.get("/account/profilo").status_code == 200  # still signed in
    assert client.post("/account/esci").status_code == 302
    assert client.get("/account/profilo").status_code == 302


def test_logout_without_its_csrf_token_is_refused(app, client, make_user, monkeypatch):
    login(client, make_user())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    assert client.post("/account/esci").status_code == 400
    assert client.get("/account/profilo").status_code == 200


def test_anonymous_visitors_are_sent_to_login_from_private_pages(client, db_session):
    for path in ["/account/profilo", "/account/profilo/modifica", "/account/password",
                 "/account/i-miei-dati.json", "/account/elimina"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/account/accedi" in response.headers["Location"], path

# ---- rate limits (limited_client: an app with the limiter on) -------------------------------

def test_login_is_rate_limited(limited_client, make_user):
    make_user(email="mario@example.org")
    attempt = {"email": "mario@example.org", "password": "Sbagliata-123"}

    statuses = [limited_client.post("/account/accedi", data=attempt).status_code for _ in range(4)]

    assert statuses == [422, 422, 422, 429]
    refused = limited_client.post("/account/accedi", data={**attempt, "password": DEMO_PASSWORD})
    assert refused.status_code == 429
    assert "Troppe richieste" in refused.text
    assert limited_client.get("/account/accedi").status_code == 200  # only POSTs count


def test_registration_is_rate_limited(limited_client, db_session):
    from tests.unit.accounts.helpers import registration_data

    statuses = [limited_client.post("/account/registrati",
                                    data=registration_data(email=f"p{n}@example.org")).status_code
                for n in range(3)]
    assert statuses == [302, 302, 429]
