"""Sign-in sessions end on the server: a copied cookie stops working once its session ends."""
from datetime import timedelta

import sqlalchemy as sa

from civiclab.accounts import sessions
from civiclab.accounts.models import User, UserSession
from civiclab.core.time import utcnow
from tests.conftest import DEMO_PASSWORD, login, text_of

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def sign_in(app, email, remember=False, user_agent=FIREFOX):
    """A new browser signed in through the login form."""
    browser = app.test_client()
    data = {"email": email, "password": DEMO_PASSWORD, **({"remember": "y"} if remember else {})}
    response = browser.post("/account/accedi", data=data, headers={"User-Agent": user_agent})
    assert response.status_code == 302
    return browser


def copy_of(app, browser, *names):
    """Another browser holding copies of `browser`'s cookies named `names`."""
    thief = app.test_client()
    for name in names:
        cookie = browser.get_cookie(name)
        thief.set_cookie(name, cookie.value)
    return thief


def signed_in(browser):
    return browser.get("/account/profilo").status_code == 200


def sign_out(browser):
    assert browser.post("/account/esci").status_code == 302


def sessions_of(db_session, user_id):
    return db_session.scalars(sa.select(UserSession).where(UserSession.user_id == user_id)
                              .order_by(UserSession.id)).all()


# ---- logging out ends the session ------------------------------------------------------------

def test_a_session_cookie_copied_before_logout_is_anonymous_after_it(app, client, make_user):
    make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org")
    thief = copy_of(app, browser, "session")
    assert signed_in(thief)

    sign_out(browser)

    assert not signed_in(thief)
    assert not signed_in(browser)


def test_a_remember_me_cookie_copied_before_logout_no_longer_signs_in(app, client, make_user):
    make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org", remember=True)
    thief = copy_of(app, browser, "remember_token")
    assert signed_in(thief)  # the remember-me cookie alone signs in, while the session lives

    sign_out(browser)

    assert not signed_in(thief)


def test_the_remember_me_cookie_names_the_session(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org", remember=True)
    (row,) = sessions_of(db_session, user.id)
    assert row.remember
    value = browser.get_cookie("remember_token").value
    user_part, _, key = value.split("|")[0].partition(":")
    assert user_part == str(user.id) and sessions._hash(key) == row.key_hash


def test_every_sign_in_opens_its_own_session_with_the_device_and_address(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    sign_in(app, "anna@example.org", user_agent=FIREFOX)
    sign_in(app, "anna@example.org", user_agent=IPHONE)

    rows = sessions_of(db_session, user.id)
    assert [row.user_agent for row in rows] == ["Firefox, Linux", "Safari, iPhone"]
    assert all(row.ip_address == "127.0.0.1" and row.revoked_at is None for row in rows)


def test_signing_out_ends_only_that_session(app, client, make_user):
    make_user(email="anna@example.org")
    laptop, phone = sign_in(app, "anna@example.org"), sign_in(app, "anna@example.org", user_agent=IPHONE)
    sign_out(laptop)
    assert signed_in(phone) and not signed_in(laptop)


def test_a_session_unused_for_its_lifetime_has_ended(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org")
    (row,) = sessions_of(db_session, user.id)
    row.last_seen_at = utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)
    db_session.commit()
    assert not signed_in(browser)


def test_a_remembered_session_lasts_as_long_as_its_cookie(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org", remember=True)
    thief = copy_of(app, browser, "remember_token")
    (row,) = sessions_of(db_session, user.id)
    row.last_seen_at = utcnow() - timedelta(days=100)
    db_session.commit()
    assert signed_in(thief)


def test_last_seen_moves_at_most_every_few_minutes(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org")
    (row,) = sessions_of(db_session, user.id)
    a_minute_ago = utcnow() - timedelta(minutes=1)
    row.last_seen_at = a_minute_ago
    db_session.commit()
    browser.get("/account/profilo")
    db_session.refresh(row)
    assert row.last_seen_at == a_minute_ago

    row.last_seen_at = utcnow() - sessions.TOUCH_INTERVAL - timedelta(seconds=1)
    db_session.commit()
    browser.get("/account/profilo")
    db_session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_a_cookie_of_the_old_user_id_and_version_form_signs_nobody_in(app, client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
    assert not signed_in(client)


def test_a_cookie_naming_another_users_session_signs_nobody_in(app, client, make_user):
    anna, bruno = make_user(), make_user()
    login(client, anna)
    key = anna.current_session.key
    with client.session_transaction() as session:
        session["_user_id"] = f"{bruno.id}:{key}"
    assert not signed_in(client)


# ---- passwords, blocks, deletion -------------------------------------------------------------

def test_changing_the_password_ends_the_other_sessions_not_this_one(app, client, make_user):
    make_user(email="anna@example.org")
    laptop, phone = sign_in(app, "anna@example.org"), sign_in(app, "anna@example.org", user_agent=IPHONE)
    remembered = copy_of(app, sign_in(app, "anna@example.org", remember=True), "remember_token")

    response = laptop.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": "Nuova-Password-Lunga-7",
        "new_password_confirm": "Nuova-Password-Lunga-7"})

    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone) and not signed_in(remembered)


def test_resetting_the_password_ends_every_session(app, client, make_user, db_session):
    from civiclab.accounts import tokens

    user = make_user(email="anna@example.org")
    phone = sign_in(app, "anna@example.org", user_agent=IPHONE)
    with app.test_request_context():
        token = tokens.reset_token(user)
    response = client.post(f"/account/nuova-password/{token}", data={
        "password": "Nuova-Password-Lunga-7", "password_confirm": "Nuova-Password-Lunga-7"})

    assert response.status_code == 302, response.text
    assert not signed_in(phone)


def test_a_site_wide_block_signs_the_user_out_everywhere(app, client, make_user, make_lab, make_facilitator,
                                                         db_session):
    from civiclab.moderation.services import block_user

    user = make_user(email="anna@example.org")
    user_id = user.id
    phone = sign_in(app, "anna@example.org", user_agent=IPHONE)
    admin = make_user(is_admin=True)  # blocks anyone (a facilitator only who wrote in their city)
    with app.test_request_context():
        block_user(admin, db_session.get(User, user_id), "Spam")
        db_session.commit()
    assert not signed_in(phone)


def test_deleting_the_account_deletes_its_sessions(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    user_id = user.id
    laptop, phone = sign_in(app, "anna@example.org"), sign_in(app, "anna@example.org", user_agent=IPHONE)

    assert laptop.post("/account/elimina", data={"password": DEMO_PASSWORD}).status_code == 302

    assert sessions_of(db_session, user_id) == []
    assert not signed_in(phone) and not signed_in(laptop)


def test_the_export_lists_the_sessions(app, client, make_user):
    make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org", remember=True)

    data = browser.get("/account/i-miei-dati.json").get_json()

    (entry,) = data["sessions"]
    assert entry["device"] == "Firefox, Linux" and entry["ip_address"] == "127.0.0.1"
    assert entry["remember_me"] is True and entry["ended_at"] is None and entry["last_seen_at"]


# ---- the profile's list -----------------------------------------------------------------------

def test_the_profile_lists_the_live_sessions_and_marks_this_one(app, client, make_user):
    make_user(email="anna@example.org")
    sign_in(app, "anna@example.org", user_agent=IPHONE)
    ended = sign_in(app, "anna@example.org", user_agent="Mozilla/5.0 (Windows NT 10.0) Edg/120.0")
    sign_out(ended)
    laptop = sign_in(app, "anna@example.org")

    page = text_of(laptop.get("/account/profilo"))

    assert "Firefox, Linux questa sessione" in page
    assert "Safari, iPhone" in page and "Edge, Windows" not in page
    assert "Esci da tutti i dispositivi" in page


def test_ending_a_session_from_the_profile_signs_that_device_out(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    phone = sign_in(app, "anna@example.org", user_agent=IPHONE)
    laptop = sign_in(app, "anna@example.org")
    phone_session = sessions_of(db_session, user.id)[0]

    response = laptop.post(f"/account/sessioni/{phone_session.id}/esci")

    assert response.status_code == 302
    assert "Sessione chiusa" in text_of(laptop.get("/account/profilo"))
    assert not signed_in(phone) and signed_in(laptop)


def test_ending_this_session_from_the_profile_is_a_sign_out(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    laptop = sign_in(app, "anna@example.org")
    thief = copy_of(app, laptop, "session")
    (row,) = sessions_of(db_session, user.id)
    assert laptop.post(f"/account/sessioni/{row.id}/esci").headers["Location"] == "/"
    assert not signed_in(laptop) and not signed_in(thief)


def test_nobody_ends_another_users_session(app, client, make_user, db_session):
    anna, bruno = make_user(email="anna@example.org"), make_user()
    phone = sign_in(app, "anna@example.org", user_agent=IPHONE)
    (row,) = sessions_of(db_session, anna.id)
    login(client, bruno)

    assert client.post(f"/account/sessioni/{row.id}/esci").status_code == 404
    assert client.post("/account/sessioni/2147483648/esci").status_code == 404
    assert client.post("/account/sessioni/999999/esci").status_code == 404
    assert signed_in(phone)


def test_ending_a_session_needs_sign_in_and_a_post(app, client, make_user, db_session):
    user = make_user(email="anna@example.org")
    phone = sign_in(app, "anna@example.org", user_agent=IPHONE)
    (row,) = sessions_of(db_session, user.id)
    assert client.post(f"/account/sessioni/{row.id}/esci").status_code == 302  # to the login page
    assert client.post("/account/sessioni/esci-ovunque").status_code == 302
    assert phone.get(f"/account/sessioni/{row.id}/esci").status_code == 405
    assert signed_in(phone)


def test_ending_sessions_needs_the_csrf_token(app, client, make_user, db_session, monkeypatch):
    user = make_user(email="anna@example.org")
    phone = sign_in(app, "anna@example.org", user_agent=IPHONE)
    laptop = sign_in(app, "anna@example.org")
    phone_session = sessions_of(db_session, user.id)[0]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    assert laptop.post(f"/account/sessioni/{phone_session.id}/esci").status_code == 400
    assert laptop.post("/account/sessioni/esci-ovunque").status_code == 400
    assert signed_in(phone)


def test_esci_da_tutti_i_dispositivi_ends_the_other_sessions_not_this_one(app, client, make_user):
    make_user(email="anna@example.org")
    phone = sign_in(app, "anna@example.org", user_agent=IPHONE)
    tablet = copy_of(app, sign_in(app, "anna@example.org", remember=True), "remember_token")
    laptop = sign_in(app, "anna@example.org")

    response = laptop.post("/account/sessioni/esci-ovunque", follow_redirects=True)

    assert "Chiuse 2 sessioni su altri dispositivi." in text_of(response)
    assert signed_in(laptop)
    assert not signed_in(phone) and not signed_in(tablet)


def test_a_device_description_is_a_short_summary():
    assert sessions.summarise_user_agent(FIREFOX) == "Firefox, Linux"
    assert sessions.summarise_user_agent(IPHONE) == "Safari, iPhone"
    assert sessions.summarise_user_agent(
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36") == "Chrome, Android"
    assert sessions.summarise_user_agent("") == ""
    assert len(sessions.summarise_user_agent("x" * 500)) <= 80
