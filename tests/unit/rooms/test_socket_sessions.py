"""A room socket lives as long as the sign-in session it was opened with: signing out (here or
from another device) closes it, and a copied cookie opens none."""
import sqlalchemy as sa

from civiclab.accounts.models import UserSession
from civiclab.core.time import utcnow
from civiclab.extensions import socketio
from civiclab.rooms import queries
from tests.conftest import DEMO_PASSWORD
from tests.unit.rooms.test_sockets import NS, connect_error_data, emit  # fresh_socket_state: conftest


def sign_in(app, email, user_agent="Firefox/128.0 (X11; Linux)"):
    browser = app.test_client()
    response = browser.post("/account/accedi", data={"email": email, "password": DEMO_PASSWORD},
                            headers={"User-Agent": user_agent})
    assert response.status_code == 302
    return browser


def socket_of(app, browser):
    return socketio.test_client(app, namespace=NS, flask_test_client=browser)


def copy_of(app, browser):
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def errors_of(client):
    return [event["args"][0] for event in client.queue if event["name"] == "error"]


def test_a_socket_with_a_cookie_copied_before_logout_is_refused(app, db_session, make_user, monkeypatch):
    make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org")
    thief = copy_of(app, browser)
    assert browser.post("/account/esci").status_code == 302

    client = socket_of(app, thief)

    assert not client.is_connected(NS)
    assert connect_error_data(client, monkeypatch)["code"] == "unauthenticated"


def test_logging_out_disconnects_the_sockets_of_that_session_only(app, db_session, make_user, make_lab):
    room_id = queries.room_of(make_lab()).id
    make_user(email="anna@example.org")
    laptop, phone = sign_in(app, "anna@example.org"), sign_in(app, "anna@example.org", "iPhone Safari/604.1")
    laptop_socket, phone_socket = socket_of(app, laptop), socket_of(app, phone)
    for client in (laptop_socket, phone_socket):
        assert emit(client, "join", {"room": room_id, "after": 0})["ok"]

    assert laptop.post("/account/esci").status_code == 302

    assert not laptop_socket.is_connected(NS)
    (error,) = errors_of(laptop_socket)
    assert error["code"] == "session_ended" and error["message"]
    assert phone_socket.is_connected(NS)
    assert emit(phone_socket, "message", {"room": room_id, "body": "Ci sono ancora", "key": "k1"})["ok"]


def test_esci_da_tutti_i_dispositivi_disconnects_the_other_devices_sockets(app, db_session, make_user):
    make_user(email="anna@example.org")
    laptop, phone = sign_in(app, "anna@example.org"), sign_in(app, "anna@example.org", "iPhone Safari/604.1")
    laptop_socket, phone_socket = socket_of(app, laptop), socket_of(app, phone)

    assert laptop.post("/account/sessioni/esci-ovunque").status_code == 302

    assert laptop_socket.is_connected(NS)
    assert not phone_socket.is_connected(NS)
    assert [error["code"] for error in errors_of(phone_socket)] == ["session_ended"]


def test_a_password_change_disconnects_the_other_sessions_sockets(app, db_session, make_user):
    make_user(email="anna@example.org")
    laptop, phone = sign_in(app, "anna@example.org"), sign_in(app, "anna@example.org", "iPhone Safari/604.1")
    laptop_socket, phone_socket = socket_of(app, laptop), socket_of(app, phone)

    response = laptop.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": "Nuova-Password-Lunga-7",
        "new_password_confirm": "Nuova-Password-Lunga-7"})

    assert response.status_code == 302
    assert laptop_socket.is_connected(NS) and not phone_socket.is_connected(NS)


def test_the_next_event_of_a_socket_whose_session_ended_is_refused(app, db_session, make_user, make_lab):
    room_id = queries.room_of(make_lab()).id
    user = make_user(email="anna@example.org")
    browser = sign_in(app, "anna@example.org")
    client = socket_of(app, browser)
    # Ended without the signal (another process, say, whose disconnect did not arrive).
    db_session.execute(sa.update(UserSession).where(UserSession.user_id == user.id).values(revoked_at=utcnow()))
    db_session.commit()

    ack = emit(client, "message", {"room": room_id, "body": "Ciao", "key": "k1"})

    assert ack["error"]["code"] == "unauthenticated" and not client.is_connected(NS)


def test_a_rolled_back_revocation_disconnects_nobody(app, db_session, make_user):
    from civiclab.accounts import sessions
    from civiclab.accounts.models import User

    user = make_user(email="anna@example.org")
    user_id = user.id
    client = socket_of(app, sign_in(app, "anna@example.org"))
    with app.test_request_context():
        sessions.end_all_sessions(db_session.get(User, user_id))
        db_session.rollback()
    assert client.is_connected(NS)
