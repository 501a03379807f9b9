"""Every way a SPID/CIE sign-in can go wrong ends on the login page with a clear message, creates
nothing and signs nobody in (never a 500)."""
import pytest
import sqlalchemy as sa

from civiclab.accounts.identities import VerifiedIdentity
from civiclab.accounts.models import User
from civiclab.core.time import utcnow
from civiclab.extensions import db
from tests.fixtures.oidc_provider import FISCAL_MARIO, at_provider, round_trip, to_provider

REFUSED = "la risposta del servizio di accesso non è valida"


def _counts():
    return (db.session.scalar(sa.select(sa.func.count()).select_from(User)),
            db.session.scalar(sa.select(sa.func.count()).select_from(VerifiedIdentity)))


def _refused_with(client, response, message, pending=False):
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/accedi"
    page = client.get("/account/accedi")
    assert message in page.text, page.text
    assert client.get("/account/profilo").status_code == 302  # nobody signed in
    if not pending:
        assert client.get("/accedi/identita/nuovo-account").status_code == 302  # no privacy step open


@pytest.mark.parametrize(("misbehaviour", "message"), [
    ("expired", "La conferma della tua identità è scaduta"),
    ("tampered", REFUSED),
    ("wrong_nonce", REFUSED),
    ("other_issuer", "un gestore che CivicLab non riconosce"),
    ("deny", "L&#39;accesso non è stato completato presso il gestore"),
    ("no_fiscal_number", "non ha comunicato il codice fiscale"),
])
def test_a_bad_answer_from_the_provider_is_refused_and_creates_nothing(client, gateway, caplog,
                                                                       misbehaviour, message):
    before = _counts()
    gateway.misbehave(misbehaviour)

    back = round_trip(client, "mario")

    _refused_with(client, back, message)
    assert _counts() == before
    assert any("SPID/CIE sign-in refused" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


def test_the_fiscal_number_may_come_from_userinfo_only(client, gateway):
    gateway.misbehave("userinfo_only")
    back = round_trip(client, "mario")
    assert back.headers["Location"].endswith("/accedi/identita/nuovo-account")


def test_a_return_with_another_state_is_refused(client, gateway):
    before = _counts()
    back = at_provider(to_provider(client), "mario")
    forged = back.replace("state=", "state=x")
    _refused_with(client, client.get(forged), "non corrisponde alla tua richiesta")
    assert _counts() == before


def test_a_state_of_any_characters_is_refused_cleanly(client, gateway):
    back = at_provider(to_provider(client), "mario")
    forged = back.replace("state=", "state=%C3%A8%F0%9F%98%80")
    _refused_with(client, client.get(forged), "non corrisponde alla tua richiesta")


def test_a_return_without_state_is_refused(client, gateway):
    back = at_provider(to_provider(client), "mario")
    without = "&".join(part for part in back.split("?", 1)[1].split("&") if not part.startswith("state="))
    _refused_with(client, client.get(f"/accedi/identita/ritorno?{without}"), "non corrisponde alla tua richiesta")


def test_a_return_that_no_flow_started_is_refused(client, gateway, app):
    back = at_provider(to_provider(client), "mario")
    other = app.test_client()  # another browser: the code and state are someone else's
    response = other.get(back)
    assert response.status_code == 302
    assert "non è partita da questo browser" in other.get("/account/accedi").text


def test_a_return_is_used_once(client, gateway):
    back = at_provider(to_provider(client), "mario")
    assert client.get(back).headers["Location"].endswith("/nuovo-account")
    _refused_with(client, client.get(back), "non è partita da questo browser", pending=True)


def test_an_invalid_fiscal_number_is_refused(client, gateway):
    gateway.identities["strange"] = {"sub": "x", "fiscal_number": "TINIT-RSSMRA80A01H501A", "name": "X Y"}
    _refused_with(client, round_trip(client, "strange"), "non ha comunicato un codice fiscale valido")


def test_an_unreachable_provider_is_a_clear_message(client, gateway):
    gateway.up = False
    response = client.get("/accedi/spid")
    assert response.status_code == 302 and response.headers["Location"] == "/account/accedi"
    assert "non risponde in questo momento" in client.get("/account/accedi").text


def test_an_email_of_another_account_is_not_taken_over(client, gateway, make_user):
    owner = make_user(email="mario.rossi@example.org")
    before = _counts()
    back = round_trip(client, "mario")
    _refused_with(client, back, "Accedi con email e password, poi collega SPID o CIE dal tuo")
    assert _counts() == before
    assert owner.verified_identity is None


def test_a_deleted_account_is_refused(client, gateway, make_user):
    from civiclab.accounts.identity_services import fiscal_hash

    user = make_user()
    db.session.add(VerifiedIdentity(user=user, kind="spid", issuer=gateway.issuer, subject="spid-mario",
                                    fiscal_hash=fiscal_hash(FISCAL_MARIO), fiscal_masked="RSS***********1U"))
    user.deleted_at = utcnow()
    db.session.commit()
    before = _counts()
    _refused_with(client, round_trip(client, "mario"), "Non è possibile accedere a questo account")
    assert _counts() == before


def test_deleting_an_account_forgets_its_identity(client, gateway, make_user):
    from tests.conftest import DEMO_PASSWORD, login

    user = make_user(email="mario.rossi@example.org")
    login(client, user)
    round_trip(client, "mario", start="/account/identita/collega/spid", method="post")
    assert user.verified_identity is not None
    client.post("/account/elimina", data={"password": DEMO_PASSWORD})
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VerifiedIdentity)) == 0


def test_private_key_jwt_authenticates_the_client_when_a_key_is_configured(client, gateway, app, tmp_path,
                                                                          monkeypatch):
    key_file = tmp_path / "civiclab.pem"
    key_file.write_bytes(gateway.client_private_key_pem())
    monkeypatch.setitem(app.config, "OIDC_PRIVATE_KEY_FILE", str(key_file))
    monkeypatch.setitem(app.config, "OIDC_PRIVATE_KEY_ID", "civiclab-key")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_SECRET", "")

    back = round_trip(client, "mario")

    assert back.headers["Location"].endswith("/accedi/identita/nuovo-account")
    sent = gateway.token_requests[-1]
    assert sent["form"]["client_assertion_type"].endswith("jwt-bearer") and not sent["authorization"]


def test_without_a_gateway_no_button_shows_and_the_start_refuses(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "")
    page = client.get("/account/accedi")
    assert "Entra con SPID" not in page.text and "Entra con CIE" not in page.text
    response = client.get("/accedi/spid")
    assert response.status_code == 302 and response.headers["Location"] == "/account/accedi"
    assert "non è attivo" in client.get("/account/accedi").text


def test_only_the_enabled_buttons_show(client, gateway, app, monkeypatch):
    page = client.get("/account/accedi")
    assert "Entra con SPID" in page.text and "Entra con CIE" in page.text
    monkeypatch.setitem(app.config, "OIDC_CIE_ENABLED", False)
    page = client.get("/account/accedi")
    assert "Entra con SPID" in page.text and "Entra con CIE" not in page.text
    assert client.get("/accedi/cie").headers["Location"] == "/account/accedi"


def test_the_provider_refuses_a_code_without_its_pkce_verifier(client, gateway):
    before = _counts()
    back = at_provider(to_provider(client), "mario")
    with client.session_transaction() as cookie:
        flow = dict(cookie["oidc_flow"])
        flow["verifier"] = "a" * 64  # not the one whose S256 challenge the provider holds
        cookie["oidc_flow"] = flow
    _refused_with(client, client.get(back), REFUSED)
    assert _counts() == before


def test_the_spid_oidc_claim_name_of_the_fiscal_number_is_accepted(client, gateway):
    gateway.identities["eid"] = {"sub": "eid-1", "https://attributes.eid.gov.it/fiscal_number": "TINIT-BNCLRA85T45F205L",
                                 "given_name": "Laura", "family_name": "Bianchi"}
    back = round_trip(client, "eid")
    assert back.headers["Location"].endswith("/accedi/identita/nuovo-account")


def test_production_needs_an_https_issuer(production_env):
    from config import ConfigError, ProductionConfig

    production_env.setenv("OIDC_ISSUER", "http://gateway.example.org")
    with pytest.raises(ConfigError, match="OIDC_ISSUER"):
        ProductionConfig.check()
    production_env.setenv("OIDC_ISSUER", "https://gateway.example.org")
    with pytest.raises(ConfigError, match="IDENTITY_HASH_KEY"):
        ProductionConfig.check()  # the fiscal numbers' key: its own, not SECRET_KEY
    production_env.setenv("IDENTITY_HASH_KEY", "s" * 48)  # SECRET_KEY's value
    with pytest.raises(ConfigError, match="IDENTITY_HASH_KEY"):
        ProductionConfig.check()
    production_env.setenv("IDENTITY_HASH_KEY", "k" * 48)
    ProductionConfig.check()


def test_a_provider_that_stops_answering_before_the_token_is_a_clear_message(client, gateway):
    before = _counts()
    back = at_provider(to_provider(client), "mario")
    gateway.up = False
    _refused_with(client, client.get(back), "non risponde in questo momento")
    assert _counts() == before
