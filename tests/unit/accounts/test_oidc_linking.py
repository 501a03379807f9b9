"""Linking SPID/CIE to an account from the profile, and unlinking it."""
import sqlalchemy as sa

from civiclab.accounts.identities import VerifiedIdentity
from civiclab.core.signals import audited
from civiclab.extensions import db
from tests.conftest import DEMO_PASSWORD, login
from tests.fixtures.oidc_provider import round_trip

LINK = "/account/identita/collega/spid"


def _audits():
    seen = []

    def listen(actor, **data):
        seen.append((actor, data["action"]))
    audited.connect(listen, weak=False)
    return seen, lambda: audited.disconnect(listen)


def test_the_profile_offers_the_link_buttons_when_configured(client, gateway, make_user):
    login(client, make_user())
    page = client.get("/account/profilo")
    assert "Collega SPID" in page.text and "Collega CIE" in page.text


def test_a_signed_in_account_links_its_identity_and_then_signs_in_with_it(client, gateway, make_user):
    user = make_user(email="someone@example.org")
    login(client, user)
    seen, stop = _audits()
    try:
        back = round_trip(client, "laura", start=LINK, method="post")
    finally:
        stop()

    assert back.status_code == 302 and back.headers["Location"].endswith("/account/profilo#my-identity")
    profile = client.get("/account/profilo")
    assert "Identità digitale collegata" in profile.text and "BNC***********5L" in profile.text
    assert user.verified_identity is not None and user.verified_identity.kind == "spid"
    assert [action for _actor, action in seen] == ["identity.linked"]
    client.post("/account/esci", data={})
    again = round_trip(client, "laura")
    assert again.headers["Location"] == "/"
    assert "someone@example.org" in client.get("/account/profilo").text


def test_an_identity_linked_to_another_account_is_refused(client, gateway, make_user):
    first, second = make_user(), make_user()
    login(client, first)
    round_trip(client, "laura", start=LINK, method="post")
    client.post("/account/esci", data={})
    login(client, second)

    back = round_trip(client, "laura", start=LINK, method="post")

    assert back.headers["Location"].endswith("/account/profilo#my-identity")
    assert "già collegata a un altro account" in client.get("/account/profilo").text
    db.session.expire_all()
    assert second.verified_identity is None
    assert db.session.scalar(sa.select(VerifiedIdentity.user_id)) == first.id


def test_an_unconfirmed_account_cannot_link(client, gateway, make_user):
    login(client, make_user(confirmed=False))
    response = client.post(LINK)
    assert response.status_code == 302 and response.headers["Location"] == "/account/profilo"
    assert "Conferma prima il tuo indirizzo email" in client.get("/account/profilo").text


def test_linking_needs_a_signed_in_user(client, gateway):
    response = client.post(LINK)
    assert response.status_code == 302 and "/account/accedi" in response.headers["Location"]


def test_unlinking_asks_the_password(client, gateway, make_user):
    user = make_user()
    login(client, user)
    round_trip(client, "laura", start=LINK, method="post")

    wrong = client.post("/account/identita/scollega", data={"password": "non-la-mia-password"})
    assert wrong.status_code == 302
    assert "La password non è corretta." in client.get("/account/profilo").text
    assert user.verified_identity is not None

    seen, stop = _audits()
    try:
        client.post("/account/identita/scollega", data={"password": DEMO_PASSWORD})
    finally:
        stop()
    assert "Identità digitale scollegata" in client.get("/account/profilo").text
    db.session.expire_all()
    assert user.verified_identity is None
    assert [action for _actor, action in seen] == ["identity.unlinked"]


def test_an_account_without_password_keeps_its_only_way_in(client, gateway):
    round_trip(client, "mario")
    client.post("/accedi/identita/nuovo-account", data={"display_name": "Mario Rossi", "privacy_consent": "y"})

    refused = client.post("/account/identita/scollega", data={"password": "qualsiasi-cosa"})

    assert refused.status_code == 302
    assert "unico modo di accedere" in client.get("/account/profilo").text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VerifiedIdentity)) == 1


def test_an_identity_without_email_asks_for_one_and_mails_a_confirmation(client, gateway, outbox):
    round_trip(client, "giuseppe")
    page = client.get("/accedi/identita/nuovo-account")
    assert 'name="email"' in page.text and "Giuseppe Verdi" in page.text
    created = client.post("/accedi/identita/nuovo-account", data={
        "display_name": "Giuseppe Verdi", "email": "gverdi@example.org", "privacy_consent": "y"})
    assert created.status_code == 302
    assert any("gverdi@example.org" in message.recipients for message in outbox)


def test_an_account_without_password_is_told_how_to_delete_itself(client, gateway):
    round_trip(client, "mario")
    client.post("/accedi/identita/nuovo-account", data={"display_name": "Mario Rossi", "privacy_consent": "y"})
    page = client.get("/account/elimina")
    assert page.status_code == 200 and "Il tuo account non ha una password" in page.text
    assert 'href="/account/password-dimenticata"' in page.text
