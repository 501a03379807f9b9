"""Italian first; the language switch in the header changes the page language and remembers it."""
from tests.conftest import login


def page_lang(response):
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_pages_are_in_italian_by_default(client):
    assert page_lang(client.get("/privacy")) == "it"


def test_a_browser_language_we_do_not_offer_falls_back_to_italian(client):
    assert page_lang(client.get("/privacy", headers={"Accept-Language": "de-DE,de"})) == "it"


def test_switching_to_english_redirects_back_and_is_remembered(client):
    response = client.post("/lingua", data={"lang": "en", "next": "/privacy?x=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy?x=1"
    with client.session_transaction() as session:
        assert session["lang"] == "en"
    assert page_lang(client.get("/privacy")) == "en"
    assert page_lang(client.get("/accessibilita")) == "en"


def test_switching_back_to_italian(client):
    client.post("/lingua", data={"lang": "en", "next": "/"})
    client.post("/lingua", data={"lang": "it", "next": "/"})
    assert page_lang(client.get("/privacy", headers={"Accept-Language": "en"})) == "it"


def test_the_switch_offers_visitors_both_languages_as_links_and_marks_the_current_one(client):
    html = client.get("/privacy?x=1").get_data(as_text=True)
    assert 'href="/lingua/it?next=/privacy?x%3D1"' in html and 'href="/lingua/en?next=/privacy?x%3D1"' in html
    assert 'lang="it" hreflang="it"' in html and 'lang="en" hreflang="en"' in html
    assert html.count('aria-current="true"') >= 1
    assert "csrf_token" not in html  # a visitor's page holds no session token (core/page_cache.py)


def test_the_switch_offers_a_signed_in_user_a_form_with_both_languages(client, make_user):
    login(client, make_user())
    html = client.get("/privacy").get_data(as_text=True)
    assert 'action="/lingua"' in html and 'name="next" value="/privacy"' in html
    assert 'value="it" lang="it"' in html and 'value="en" lang="en"' in html


def test_a_visitor_switches_by_link_and_is_sent_back(client):
    response = client.get("/lingua/en?next=/privacy?x=1")
    assert response.status_code == 302 and response.headers["Location"] == "/privacy?x=1"
    assert page_lang(client.get("/privacy")) == "en"
    client.get("/lingua/it?next=/")
    assert page_lang(client.get("/privacy", headers={"Accept-Language": "en"})) == "it"


def test_the_language_link_refuses_other_sites_and_unknown_languages(client):
    for target in ("//evil.example.org/", "https://evil.example.org/", "/\\evil.example", ""):
        response = client.get("/lingua/en", query_string={"next": target})
        assert response.headers["Location"] == "/", repr(target)
    assert client.get("/lingua/xx?next=/").status_code == 404


def test_an_unknown_language_is_ignored(client):
    client.post("/lingua", data={"lang": "xx", "next": "/"})
    with client.session_transaction() as session:
        assert "lang" not in session
    assert page_lang(client.get("/privacy")) == "it"


def test_the_switch_never_redirects_to_another_site(client):
    for target in ("//evil.example.org/", "https://evil.example.org/", "javascript:alert(1)", ""):
        response = client.post("/lingua", data={"lang": "en", "next": target})
        assert response.headers["Location"] == "/"


def test_a_signed_in_user_keeps_the_language_in_the_profile(client, make_user, db_session):
    user = make_user(locale="it")
    login(client, user)
    client.post("/lingua", data={"lang": "en", "next": "/"})
    db_session.refresh(user)
    assert user.locale == "en"


def test_the_switch_refuses_targets_browsers_read_as_another_site(client):
    for target in ("/\t/evil.example", "//evil.example", "https://evil.example", "/\\evil.example",
                   "/\n/evil.example", "/\r\n/evil.example"):
        response = client.post("/lingua", data={"lang": "en", "next": target})
        assert response.headers["Location"] == "/", repr(target)


def test_signing_in_keeps_the_language_the_visitor_chose(client, make_user, db_session):
    from tests.conftest import DEMO_PASSWORD

    user = make_user(email="mario@example.org", locale="it")
    client.post("/lingua", data={"lang": "en", "next": "/"})

    client.post("/account/accedi", data={"email": "mario@example.org", "password": DEMO_PASSWORD})

    assert page_lang(client.get("/privacy")) == "en"
    db_session.refresh(user)
    assert user.locale == "en"  # and it becomes the account's language (mails too)


def test_signing_in_without_a_choice_takes_the_accounts_language(client, make_user):
    from tests.conftest import DEMO_PASSWORD

    make_user(email="mario@example.org", locale="en")
    client.post("/account/accedi", data={"email": "mario@example.org", "password": DEMO_PASSWORD})
    assert page_lang(client.get("/privacy")) == "en"
