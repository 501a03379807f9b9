import time

import pytest
from itsdangerous import TimestampSigner

from civiclab.accounts import tokens
from civiclab.accounts.passwords import password_problem
from tests.conftest import DEMO_PASSWORD, login
from tests.unit.accounts.helpers import STRONG, link_in

NEW = "Girasole-Alto-77"


@pytest.mark.parametrize("password, words", [
    ("breve-1", "almeno 10"),
    ("98765432101", "solo da numeri"),
    ("Password123", "troppo comune"),
    ("aaaaaaaaaaaa", "troppo comune"),
    ("mario.rossi@example.org", "uguale"),
    ("mario.rossi", "uguale"),
    ("Mario Rossi", "uguale"),
])
def test_the_password_policy_refuses_weak_passwords(app, password, words):
    with app.test_request_context():
        assert words in password_problem(password, email="mario.rossi@example.org", display_name="Mario Rossi")


def test_the_password_policy_accepts_a_long_personal_passphrase(app):
    with app.test_request_context():
        assert password_problem("treni lenti a Bologna", email="m@example.org", display_name="Mario") is None


def test_a_reset_request_answers_the_same_for_known_and_unknown_addresses(client, make_user, outbox):
    make_user(email="mario@example.org")

    known = client.post("/account/password-dimenticata", data={"email": "mario@example.org"})
    unknown = client.post("/account/password-dimenticata", data={"email": "nessuno@example.org"})

    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert "Se esiste un account" in client.get(known.headers["Location"]).text
    assert [m.recipients for m in outbox] == [["mario@example.org"]]


def test_a_reset_mail_leaves_after_the_answer_which_is_the_same_for_known_and_unknown_addresses(
        app, client, make_user, outbox, monkeypatch):
    """Sending the mail inside the request made a known address answer measurably slower."""
    from civiclab.core import mail

    monkeypatch.setitem(app.config, "MAIL_IN_BACKGROUND", True)
    sent_inside_a_request = []
    real_dispatch = mail.dispatch

    def dispatch(message):
        from flask import has_request_context

        sent_inside_a_request.append(has_request_context())
        real_dispatch(message)

    monkeypatch.setattr(mail, "dispatch", dispatch)
    make_user(email="mario@example.org")

    known = client.post("/account/password-dimenticata", data={"email": "mario@example.org"})
    unknown = client.post("/account/password-dimenticata", data={"email": "nessuno@example.org"})
    mail.finish_sending(timeout=10)

    assert (known.status_code, known.headers["Location"], known.data) == (
        unknown.status_code, unknown.headers["Location"], unknown.data)
    assert [m.recipients for m in outbox] == [["mario@example.org"]]
    assert link_in(outbox[0], "/account/nuova-password/")
    assert sent_inside_a_request == [False]


def test_mail_of_a_request_that_fails_is_not_sent(app, db_session, make_user, outbox, monkeypatch):
    from civiclab.accounts import mails
    from civiclab.core import mail

    monkeypatch.setitem(app.config, "MAIL_IN_BACKGROUND", True)
    user = make_user(email="mario@example.org")
    with app.test_request_context("/"):
        mails.send_reset(user)
        db_session.rollback()
        db_session.commit()
    mail.finish_sending(timeout=10)
    assert outbox == []


def test_the_reset_link_sets_a_new_password_once(client, db_session, make_user, outbox):
    user = make_user(email="mario@example.org")
    version = user.session_version
    client.post("/account/password-dimenticata", data={"email": "mario@example.org"})
    link = link_in(outbox[0], "/account/nuova-password/")

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW, "password_confirm": NEW})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/accedi")
    db_session.refresh(user)
    assert user.check_password(NEW)
    assert user.session_version == version + 1

    again = client.get(link)
    assert again.status_code == 400
    assert "non è valido o è già stato usato" in again.text
    assert client.post(link, data={"password": STRONG, "password_confirm": STRONG}).status_code == 400
    db_session.refresh(user)
    assert user.check_password(NEW)


def test_an_expired_reset_link_is_refused_with_a_clear_message(app, client, make_user, monkeypatch):
    user = make_user(email="mario@example.org")
    two_hours_ago = int(time.time()) - 2 * 3600
    with app.test_request_context():
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
            token = tokens.reset_token(user)

    response = client.get(f"/account/nuova-password/{token}")

    assert response.status_code == 400
    assert "Il link è scaduto" in response.text
    assert "Chiedi un nuovo link" in response.text


def test_a_reset_link_dies_when_the_password_changes_otherwise(app, client, db_session, make_user):
    user = make_user(email="mario@example.org")
    with app.test_request_context():
        token = tokens.reset_token(user)
    user.set_password("Un-altra-password-1")  # changed without bumping the version
    db_session.commit()

    assert client.get(f"/account/nuova-password/{token}").status_code == 400


def test_a_reset_to_a_weak_password_is_refused(client, make_user, outbox):
    make_user(email="mario@example.org")
    client.post("/account/password-dimenticata", data={"email": "mario@example.org"})
    link = link_in(outbox[0], "/account/nuova-password/")

    response = client.post(link, data={"password": "1234567890", "password_confirm": "1234567890"})

    assert response.status_code == 422
    assert "solo da numeri" in response.text


def test_a_reset_confirms_an_unconfirmed_address(client, db_session, make_user, outbox):
    user = make_user(email="mario@example.org", confirmed=False)
    client.post("/account/password-dimenticata", data={"email": "mario@example.org"})
    client.post(link_in(outbox[0], "/account/nuova-password/"), data={"password": NEW, "password_confirm": NEW})
    db_session.refresh(user)
    assert user.is_confirmed


def test_changing_the_password_needs_the_current_one(client, db_session, make_user):
    user = make_user()
    login(client, user)

    response = client.post("/account/password", data={
        "current_password": "Non-E-Questa-1", "new_password": NEW, "new_password_confirm": NEW})

    assert response.status_code == 422
    assert "La password attuale non è corretta." in response.text
    db_session.refresh(user)
    assert user.check_password(DEMO_PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, db_session, make_user):
    user = make_user()
    login(client, user)
    other_device = app.test_client()
    login(other_device, user)

    response = client.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": NEW, "new_password_confirm": NEW})

    assert response.status_code == 302
    db_session.refresh(user)
    assert user.check_password(NEW)
    assert client.get("/account/profilo").status_code == 200
    assert other_device.get("/account/profilo").status_code == 302
