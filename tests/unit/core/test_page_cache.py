"""The visitors' page cache (core/page_cache.py): a visitor never sees a page older than the last
committed change, never someone else's page, always their language, and no session token."""
from datetime import timedelta

import pytest
import time_machine

from civiclab.core.time import utcnow
from tests.conftest import login


@pytest.fixture
def cache(app):
    return app.extensions["page_cache"]


@pytest.fixture
def steady(app):
    """Whether the data version moves only with this test's commits: on PostgreSQL without Redis
    it moves with any write on the server (other test runs), so a hit cannot be counted on."""
    return not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def body(response):
    return response.get_data(as_text=True)


def test_a_visitor_gets_the_stored_page_until_a_commit_changes_it(client, cache, steady, db_session, make_city):
    city = make_city(name="Borgo Alto", slug="borgo-alto")
    first = client.get("/citta")
    hits = cache.store.hits
    assert "Borgo Alto" in body(client.get("/citta")) and (cache.store.hits == hits + 1 or not steady)

    city.name = "Borgo Nuovo"
    db_session.commit()

    fresh = body(client.get("/citta"))
    assert "Borgo Nuovo" in fresh and "Borgo Alto" not in fresh
    assert first.status_code == 200


def test_a_change_committed_through_a_service_shows_at_once(client, app, cache, db_session, make_user,
                                                            make_proposal):
    proposal = make_proposal(title="Orti sui tetti")
    assert "Un commento nuovo di zecca" not in body(client.get(f"/proposte/{proposal.id}"))

    author = app.test_client()
    login(author, make_user())
    posted = author.post("/commenti", data={"proposal_id": proposal.id, "body": "Un commento nuovo di zecca"})
    assert posted.status_code == 302

    assert "Un commento nuovo di zecca" in body(client.get(f"/proposte/{proposal.id}"))


def test_a_rolled_back_change_neither_shows_nor_throws_pages_away(client, cache, steady, db_session, make_city):
    city = make_city(name="Borgo Fermo", slug="borgo-fermo")
    client.get("/citta")
    version = cache.version.read()

    with db_session.begin_nested():
        city.name = "Borgo Sbagliato"
        db_session.flush()
        db_session.rollback()
    db_session.rollback()

    hits = cache.store.hits
    page = body(client.get("/citta"))
    assert "Borgo Fermo" in page and "Borgo Sbagliato" not in page
    assert (cache.version.read() == version and cache.store.hits == hits + 1) or not steady


def test_signed_in_pages_are_never_stored_nor_served_from_the_cache(app, client, cache, make_user, make_city):
    make_city(name="Borgo Privato", slug="borgo-privato")
    member = app.test_client()
    login(member, make_user(display_name="Giulia Verdi"))

    stores = cache.store.stores
    signed_in = member.get("/citta")
    assert "Giulia Verdi" in body(signed_in) and signed_in.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in signed_in.headers and cache.store.stores == stores

    visitor = client.get("/citta")
    assert "Giulia Verdi" not in body(visitor) and 'action="/account/esci"' not in body(visitor)
    assert cache.store.stores == stores + 1

    again = member.get("/citta")  # the visitor's page is stored now: the member still gets their own
    assert "Giulia Verdi" in body(again) and 'action="/account/esci"' in body(again)
    assert "Giulia Verdi" not in body(client.get("/citta"))


def test_a_remember_me_cookie_is_never_answered_from_the_cache(client, cache, make_city):
    make_city(name="Borgo Ricordo", slug="borgo-ricordo")
    client.get("/citta")
    client.set_cookie("remember_token", "1:whatever")
    hits = cache.store.hits
    response = client.get("/citta")
    assert response.status_code == 200 and cache.store.hits == hits
    assert "ETag" not in response.headers


def test_a_visitor_with_a_flash_waiting_sees_it(client, cache, make_city):
    make_city(name="Borgo Messaggio", slug="borgo-messaggio")
    client.get("/citta")  # stored, without any flash
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Un messaggio per te soltanto")]

    assert "Un messaggio per te soltanto" in body(client.get("/citta"))
    assert "Un messaggio per te soltanto" not in body(client.get("/citta"))  # shown once, then the shared page


def test_each_visitor_gets_the_language_they_chose_or_their_browser_asks(app, client, cache, make_city):
    make_city(name="Borgo Lingue", slug="borgo-lingue")

    def lang(response):
        return body(response).split('<html lang="', 1)[1][:2]

    assert lang(client.get("/citta")) == "it"
    assert lang(client.get("/citta", headers={"Accept-Language": "en-GB,en"})) == "en"
    assert lang(client.get("/citta")) == "it"

    chooser = app.test_client()
    chooser.get("/lingua/en?next=/citta")
    assert lang(chooser.get("/citta")) == "en"
    assert lang(chooser.get("/citta", headers={"Accept-Language": "it"})) == "en"  # the choice wins
    assert lang(client.get("/citta")) == "it"


def test_a_stored_visitor_page_sets_no_cookie_and_holds_no_token(client, cache, make_event):
    event = make_event()
    for _ in range(2):  # rendered, then from the cache
        response = client.get(f"/eventi/{event.id}")
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        assert "csrf_token" not in body(response) and "form_key" not in body(response)
    assert cache.store.hits >= 1


def test_visitor_pages_carry_validators_and_let_proxies_keep_them_only_to_revalidate(client, make_city):
    make_city(name="Borgo Intestazioni", slug="borgo-intestazioni")
    for _ in range(2):
        response = client.get("/citta")
        assert response.headers["Cache-Control"] == "public, no-cache"
        assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response.headers["Vary"].split(",")}
        assert response.headers["ETag"].startswith('"')


def test_if_none_match_gets_304_until_a_commit_changes_the_page(client, db_session, make_city):
    city = make_city(name="Borgo Etag", slug="borgo-etag")
    etag = client.get("/citta").headers["ETag"]

    not_modified = client.get("/citta", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""

    city.name = "Borgo Etag Due"
    db_session.commit()
    changed = client.get("/citta", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Borgo Etag Due" in body(changed)
    assert changed.headers["ETag"] != etag


def test_head_answers_without_a_body_with_the_same_validator(client, make_city):
    make_city(name="Borgo Testa", slug="borgo-testa")
    head_first = client.head("/citta")
    assert head_first.status_code == 200 and head_first.get_data() == b""
    get = client.get("/citta")
    assert "Borgo Testa" in body(get) and get.headers["ETag"] == head_first.headers["ETag"]
    head_after = client.head("/citta")
    assert head_after.get_data() == b"" and head_after.headers["ETag"] == get.headers["ETag"]


def test_each_query_string_is_a_page_of_its_own(client, make_event):
    make_event(title="Giardino condiviso")
    make_event(title="Officina delle biciclette")
    gardens = body(client.get("/eventi?q=Giardino"))
    bikes = body(client.get("/eventi?q=Officina"))
    assert "Giardino condiviso" in gardens and "Officina delle biciclette" not in gardens
    assert "Officina delle biciclette" in bikes and "Giardino condiviso" not in bikes


def test_what_changes_with_the_clock_alone_shows_within_a_minute(client, make_event):
    closes = utcnow() + timedelta(seconds=30)
    event = make_event(registration_closes_at=closes)
    with time_machine.travel(closes - timedelta(seconds=20), tick=False):
        assert "Prenota il tuo posto" in body(client.get(f"/eventi/{event.id}"))
    with time_machine.travel(closes + timedelta(seconds=61), tick=False):
        assert "Non è possibile iscriversi a questo evento." in body(client.get(f"/eventi/{event.id}"))


def test_pages_not_marked_public_are_never_stored(client, cache, make_event):
    event = make_event()
    stores = cache.store.stores
    form_page = client.get(f"/eventi/{event.id}/prenota-senza-account")
    assert 'name="form_key"' in body(form_page) and "ETag" not in form_page.headers
    assert cache.store.stores == stores


def test_a_visitor_without_cookies_gets_the_apps_own_answer_without_the_app(app, client, make_city, monkeypatch):
    make_city(name="Borgo Porta", slug="borgo-porta")
    first = client.get("/citta")
    rendered = []
    monkeypatch.setitem(app.view_functions, "places.cities", lambda: rendered.append(1) or "altro")

    again = client.get("/citta")
    head = client.head("/citta")

    assert rendered == [] and again.get_data() == first.get_data()
    for name in ("Content-Security-Policy", "X-Frame-Options", "ETag", "Cache-Control", "Vary", "Content-Type"):
        assert again.headers[name] == first.headers[name] == head.headers[name], name
    assert head.status_code == 200 and head.get_data() == b""


def test_a_visitor_with_a_session_cookie_goes_through_the_app_and_gets_their_language(app, client, make_city):
    make_city(name="Borgo Biscotto", slug="borgo-biscotto")
    assert 'lang="it"' in client.get("/citta").get_data(as_text=True)  # stored at the front door
    client.get("/lingua/en?next=/citta")  # now a session cookie with the chosen language
    assert '<html lang="en"' in client.get("/citta").get_data(as_text=True)
