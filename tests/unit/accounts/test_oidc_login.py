"""SPID/CIE sign-in through the loopback OpenID Connect provider (tests/fixtures/oidc_provider.py):
real HTTP to the provider, the app under the test client."""
import sqlalchemy as sa

from civiclab.accounts.identities import VerifiedIdentity
from civiclab.accounts.models import User
from civiclab.extensions import db
from tests.conftest import text_of
from tests.fixtures.oidc_provider import FISCAL_MARIO, round_trip


def _users():
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def _create(client, display_name=None, consent="y", **more):
    page = client.get("/accedi/identita/nuovo-account")
    data = {"privacy_consent": consent, **more}
    data["display_name"] = display_name or "Mario Rossi"
    return page, client.post("/accedi/identita/nuovo-account", data=data)


def test_first_login_asks_for_privacy_then_creates_a_confirmed_account_without_password(client, gateway):
    users = _users()
    back = round_trip(client, "mario")

    assert back.status_code == 302
    assert back.headers["Location"].endswith("/accedi/identita/nuovo-account")
    assert _users() == users  # nothing yet: the privacy step first
    page, created = _create(client)
    assert page.status_code == 200
    assert "Crea il tuo account" in page.text and "Mario Rossi" in page.text
    assert FISCAL_MARIO not in page.text and "RSS***********1U" in page.text
    assert created.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "mario.rossi@example.org"))
    assert user.is_confirmed and user.password_hash is None and user.display_name == "Mario Rossi"
    assert user.verified_identity.kind == "spid" and user.verified_identity.fiscal_masked == "RSS***********1U"
    assert FISCAL_MARIO not in user.verified_identity.fiscal_hash and len(user.verified_identity.fiscal_hash) == 64
    assert user.verified_identity.issuer == gateway.issuer
    profile = client.get("/account/profilo")
    assert profile.status_code == 200 and "RSS***********1U" in profile.text
    # the password sign-in refuses an account without password, gracefully
    refused = client.post("/account/accedi", data={"email": "mario.rossi@example.org", "password": "x" * 12})
    assert refused.status_code == 422 and "Email o password non corretti." in refused.text


def test_the_privacy_notice_must_be_accepted(client, gateway):
    users = _users()
    round_trip(client, "mario")
    _page, refused = _create(client, consent="")
    assert refused.status_code == 422
    assert "informativa sulla privacy" in text_of(refused)
    assert _users() == users


def test_second_login_signs_into_the_same_account(client, gateway):
    round_trip(client, "mario")
    _create(client)
    client.post("/account/esci", data={})
    users = _users()

    again = round_trip(client, "mario")

    assert again.status_code == 302 and again.headers["Location"] == "/"
    assert _users() == users
    assert "Mario Rossi" in client.get("/account/profilo").text


def test_spid_then_cie_of_the_same_person_is_the_same_account(client, gateway):
    round_trip(client, "mario")
    _create(client)
    client.post("/account/esci", data={})
    users = _users()

    through_cie = round_trip(client, "mario_cie", start="/accedi/cie")

    assert through_cie.status_code == 302 and through_cie.headers["Location"] == "/"
    assert _users() == users
    identity = db.session.scalar(sa.select(VerifiedIdentity).where(VerifiedIdentity.subject == "cie-mario"))
    assert identity.kind == "cie" and identity.user.email == "mario.rossi@example.org"


def test_login_sends_pkce_s256_state_nonce_and_the_buttons_hint(client, gateway):
    round_trip(client, "mario")
    sent = gateway.authorizations[-1]
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) >= 43
    assert sent["state"] and sent["nonce"] and sent["idp_hint"] == "spid"
    assert gateway.token_requests[-1]["form"]["code_verifier"]
    assert gateway.token_requests[-1]["authorization"].startswith("Basic ")


def test_a_next_address_on_the_site_is_kept(client, gateway):
    round_trip(client, "mario")
    _create(client)
    client.post("/account/esci", data={})
    back = round_trip(client, "mario", start="/accedi/spid?next=/account/profilo")
    assert back.headers["Location"] == "/account/profilo"
    client.post("/account/esci", data={})
    back = round_trip(client, "mario", start="/accedi/spid?next=https://evil.example/")
    assert back.headers["Location"] == "/"
