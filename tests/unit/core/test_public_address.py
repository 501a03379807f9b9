"""Links that leave the site (mails, calendars) carry the configured public address, never the
Host a request claimed; hosts the site does not serve are refused; a proxy's forwarded address
is believed only when the deployment says how many proxies stand in front."""
import pytest

import config
from civiclab import create_app
from civiclab.core.urls import external_url, safe_next
from tests.unit.accounts.helpers import link_in


@pytest.fixture
def public_site(app, monkeypatch):
    monkeypatch.setitem(app.config, "CIVICLAB_BASE_URL", "https://civiclab.example.org")


def test_a_reset_requested_with_a_forged_host_mails_a_link_to_the_configured_site(
        client, public_site, make_user, outbox):
    make_user(email="mario@example.org")

    client.post("/account/password-dimenticata", data={"email": "mario@example.org"},
                headers={"Host": "evil.example"})

    assert "evil.example" not in outbox[0].body
    assert "https://civiclab.example.org/account/nuova-password/" in outbox[0].body


def test_guest_booking_and_confirmation_links_asked_with_a_forged_host_point_to_the_configured_site(
        client, public_site, make_event, outbox):
    event = make_event()
    forged = {"Host": "evil.example"}
    client.post(f"/eventi/{event.id}/iscrizione-ospite", headers=forged,
                data={"name": "Marta Rossi", "email": "marta@example.org", "privacy_consent": "y"})
    link = link_in(outbox[-1], "/iscrizioni/ospite/conferma/")
    client.post(link, headers=forged)

    assert len(outbox) == 2
    for message in outbox:
        assert "evil.example" not in message.body
        assert "https://civiclab.example.org/" in message.body
    ics = [data for message in outbox for data in message.attachments]
    assert ics and all(b"evil.example" not in attachment.data for attachment in ics)


def test_external_links_are_built_from_the_configured_site_inside_a_forged_request(app, public_site):
    with app.test_request_context("/", base_url="http://evil.example"):
        assert external_url("pages.home") == "https://civiclab.example.org/"
        assert external_url("events.event", event_id=7) == "https://civiclab.example.org/eventi/7"


def test_external_links_need_no_request(app, public_site):
    with app.app_context():
        assert external_url("accounts.login", next="/x") == "https://civiclab.example.org/account/accedi?next=/x"


def test_external_links_keep_a_base_path(app, monkeypatch):
    monkeypatch.setitem(app.config, "CIVICLAB_BASE_URL", "https://comune.example.it/civiclab/")
    with app.app_context():
        assert external_url("core.privacy") == "https://comune.example.it/civiclab/privacy"


def test_a_request_with_an_untrusted_host_is_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["civiclab.example.org"])

    refused = client.get("/privacy", headers={"Host": "evil.example"})
    served = client.get("/privacy", headers={"Host": "civiclab.example.org"})

    assert refused.status_code == 400
    assert "evil.example" not in refused.get_data(as_text=True)
    assert served.status_code == 200


def test_a_reset_with_an_untrusted_host_sends_no_mail(app, client, make_user, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["civiclab.example.org"])
    make_user(email="mario@example.org")

    response = client.post("/account/password-dimenticata", data={"email": "mario@example.org"},
                           headers={"Host": "evil.example"})

    assert response.status_code == 400
    assert outbox == []


# ---- production settings ------------------------------------------------------------------


def production_config():
    return type("Production", (config.ProductionConfig,), {"SOCKETIO_ASYNC_MODE": "threading"})


@pytest.mark.parametrize("base_url", [None, "", "civiclab.example.org", "ftp://civiclab.example.org",
                                      "http://civiclab.example.org",
                                      "https://", "https://civiclab.example.org/?x=1"])
def test_production_refuses_to_start_without_a_public_base_url(production_env, base_url):
    if base_url is None:
        production_env.delenv("CIVICLAB_BASE_URL")
    else:
        production_env.setenv("CIVICLAB_BASE_URL", base_url)
    with pytest.raises(config.ConfigError, match="CIVICLAB_BASE_URL"):
        production_config().check()


def test_production_trusts_only_the_base_urls_host_by_default(production_env):
    app = create_app(production_config())
    client = app.test_client()

    assert app.config["TRUSTED_HOSTS"] == ["civiclab.example.org"]
    assert client.get("/privacy", base_url="https://evil.example").status_code == 400
    assert client.get("/privacy", base_url="https://civiclab.example.org").status_code == 200


def test_production_trusts_the_hosts_it_is_given(production_env):
    production_env.setenv("TRUSTED_HOSTS", "civiclab.example.org, www.civiclab.example.org")
    app = create_app(production_config())
    assert app.config["TRUSTED_HOSTS"] == ["civiclab.example.org", "www.civiclab.example.org"]


# ---- redirects that take a `next` ---------------------------------------------------------

@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "https://evil.example",
                                    "/\\evil.example", "/\n/evil.example", " //evil.example",
                                    "javascript:alert(1)", "", None])
def test_a_next_leaving_the_site_is_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/privacy?x=1", "/eventi/3#posti"])
def test_a_next_on_the_site_is_kept(target):
    assert safe_next(target) == target
