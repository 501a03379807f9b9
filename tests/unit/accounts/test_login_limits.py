"""Failed sign-ins are throttled per account and per client address; the address is the one a
trusted proxy forwarded, never one a client claims. A class signing in from one school network
is not throttled."""
import pytest

import config
from civiclab.accounts.models import User
from tests.conftest import DEMO_PASSWORD

WRONG = "Sbagliata-123"


@pytest.fixture(autouse=True)
def quick_password_checks(monkeypatch):
    """Hashing is slow on purpose; these tests count attempts, not hashes."""
    monkeypatch.setattr(User, "check_password", lambda user, password: password == DEMO_PASSWORD)


def sign_in(client, email, password, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("/account/accedi", data={"email": email, "password": password}, headers=headers)


def test_a_class_of_25_signs_in_from_one_school_address(limited_app, limited_client, make_user, monkeypatch):
    monkeypatch.setitem(limited_app.config, "RATELIMIT_LOGIN", config.Config.RATELIMIT_LOGIN)
    pupils = [make_user(email=f"alunno{n}@scuola.example.it") for n in range(25)]

    statuses = []
    for n, pupil in enumerate(pupils):
        pupil_client = limited_app.test_client()  # one browser each, one school address
        if n % 8 == 0:  # a few mistype their password first
            statuses.append(sign_in(pupil_client, pupil.email, WRONG).status_code)
        statuses.append(sign_in(pupil_client, pupil.email, DEMO_PASSWORD).status_code)

    assert 429 not in statuses
    assert statuses.count(302) == 25


def test_guessing_one_accounts_password_from_many_addresses_is_stopped_for_that_account(
        limited_app, limited_client, make_user, monkeypatch):
    monkeypatch.setitem(limited_app.config, "TRUSTED_PROXY_COUNT", 1)
    monkeypatch.setitem(limited_app.config, "RATELIMIT_LOGIN_ACCOUNT", "10 per 15 minutes")
    make_user(email="mario@example.org")
    make_user(email="anna@example.org")

    statuses = [sign_in(limited_client, "Mario@Example.org" if n % 2 else "mario@example.org", WRONG,
                        address=f"203.0.113.{n}").status_code
                for n in range(11)]

    assert statuses == [422] * 10 + [429]
    assert sign_in(limited_client, "mario@example.org", DEMO_PASSWORD, address="198.51.100.7").status_code == 429
    assert sign_in(limited_app.test_client(), "anna@example.org", DEMO_PASSWORD,
                   address="203.0.113.3").status_code == 302


def test_a_forwarded_address_from_a_client_without_a_trusted_proxy_is_ignored(
        limited_app, limited_client, make_user, monkeypatch):
    monkeypatch.setitem(limited_app.config, "TRUSTED_PROXY_COUNT", 0)  # RATELIMIT_LOGIN: 3 per minute
    statuses = [sign_in(limited_client, f"nessuno{n}@example.org", WRONG, address=f"203.0.113.{n}").status_code
                for n in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(
        limited_app, limited_client, make_user, monkeypatch):
    monkeypatch.setitem(limited_app.config, "TRUSTED_PROXY_COUNT", 1)  # RATELIMIT_LOGIN: 3 per minute
    attacker = [sign_in(limited_client, f"nessuno{n}@example.org", WRONG, address="203.0.113.9").status_code
                for n in range(4)]
    make_user(email="anna@example.org")
    neighbour = sign_in(limited_app.test_client(), "anna@example.org", DEMO_PASSWORD, address="203.0.113.10")
    assert attacker == [422, 422, 422, 429]
    assert neighbour.status_code == 302


def test_the_proxy_decides_the_address_not_what_the_client_put_before_it(
        limited_app, limited_client, monkeypatch):
    """nginx appends the address it saw: what the client sent in front of it is not believed."""
    monkeypatch.setitem(limited_app.config, "TRUSTED_PROXY_COUNT", 1)
    statuses = [sign_in(limited_client, f"nessuno{n}@example.org", WRONG,
                        address=f"10.0.0.{n}, 203.0.113.9").status_code
                for n in range(4)]
    assert statuses == [422, 422, 422, 429]
