"""SPID in a real browser: the login page's button, the loopback provider's page, the privacy
step, signed in; and the pages SPID/CIE adds, with their buttons, checked by axe in both languages
(the site-wide walk's demo server has no gateway, so it never shows them)."""
import re

import pytest

from tests.browser.conftest import serving
from tests.browser.demo_world import open_as
from tests.browser.test_accessibility import AXE, FAILING_IMPACTS, RUN_AXE, WCAG_21_AA, describe
from tests.fixtures.oidc_provider import settings_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spid_server(tmp_path_factory, oidc_provider):
    """A live CivicLab whose SPID and CIE buttons lead to the loopback provider."""
    from civiclab.accounts import oidc

    oidc.forget_discovery()
    with serving(tmp_path_factory.mktemp("spid") / "spid.sqlite3", **settings_for(oidc_provider)) as server:
        yield server
    oidc.forget_discovery()


def _through_the_provider(page, identity_label):
    page.get_by_role("link", name="Entra con SPID").click()
    page.wait_for_url(re.compile(r"/authorize\?"))
    assert page.get_by_role("heading", level=1).inner_text() == "Gestore di identità di test"
    page.get_by_label(identity_label).check()
    page.get_by_role("button", name="Autorizza").click()


def test_a_citizen_enters_with_spid_accepts_the_privacy_notice_and_is_signed_in(browser, spid_server):
    context = browser.new_context(locale="it-IT", base_url=spid_server.url)
    page = context.new_page()
    try:
        page.goto("/account/accedi")
        _through_the_provider(page, "Laura Bianchi (laura)")

        page.wait_for_url("**/accedi/identita/nuovo-account")
        assert page.get_by_role("heading", level=1).inner_text() == "Crea il tuo account"
        assert page.get_by_label("Nome visualizzato").input_value() == "Laura Bianchi"
        assert "BNC***********5L" in page.locator("main").inner_text()
        page.get_by_text("Ho letto l'informativa sulla privacy").click()  # Bootstrap Italia draws the box on its label
        page.get_by_role("button", name="Crea il mio account").click()

        page.wait_for_url(f"{spid_server.url}/")
        assert page.get_by_role("link", name="Il mio profilo: Laura Bianchi").is_visible()
        page.goto("/account/profilo")
        assert "BNC***********5L" in page.locator("main").inner_text()

        # Signed out, the same identity signs straight into the same account.
        page.goto("/account/esci")
        page.locator("main form button[type=submit]").click()
        page.goto("/account/accedi")
        _through_the_provider(page, "Laura Bianchi (laura)")
        page.wait_for_url(f"{spid_server.url}/")
        assert page.get_by_role("link", name="Il mio profilo: Laura Bianchi").is_visible()
    finally:
        context.close()


def _password_user(server, language):
    """A confirmed account with the demo password, in the live server's database."""
    from civiclab.accounts.models import User
    from civiclab.core.time import utcnow
    from civiclab.extensions import db
    from tests.browser.demo_world import DEMO_PASSWORD

    email = f"password.{language}@example.org"
    with server.app.app_context():
        user = User(email=email, display_name=f"Con password {language}", locale=language,
                    privacy_consent_at=utcnow(), email_confirmed_at=utcnow())
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()
    return email


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_login_page_with_its_buttons_and_the_privacy_step_have_no_violation(browser, spid_server, oidc_provider,
                                                                               language):
    # A person new to this server in each language, without an email (the form then asks one).
    fiscal, name = {"it": ("NREGNN75M41H501T", "Giovanna Neri"), "en": ("FRRLCU90E15F205L", "Luca Ferro")}[language]
    oidc_provider.identities[f"new_{language}"] = {"sub": f"spid-new-{language}", "fiscal_number": fiscal, "name": name}
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install (npm ci installs axe-core)")
    context, page = open_as(browser, spid_server, None, language, init_scripts=[AXE])
    found = []
    try:
        page.goto("/account/accedi")
        assert page.locator("a.identity-button").count() == 2
        found += [(v, "/account/accedi") for v in page.evaluate(RUN_AXE, WCAG_21_AA)]
        page.locator("a.identity-button").first.click()
        page.wait_for_url(re.compile(r"/authorize\?"))
        page.get_by_label(f"{name} (new_{language})").check()
        page.get_by_role("button", name="Autorizza").click()
        page.wait_for_url("**/accedi/identita/nuovo-account")
        assert page.locator("html").get_attribute("lang") == language
        found += [(v, "/accedi/identita/nuovo-account") for v in page.evaluate(RUN_AXE, WCAG_21_AA)]
        page.locator("main form button[type=submit]").click()  # nothing accepted: the errors shown
        page.wait_for_load_state()
        assert page.locator("#form-errors, .invalid-feedback").count() >= 1
        found += [(v, "/accedi/identita/nuovo-account (errors)") for v in page.evaluate(RUN_AXE, WCAG_21_AA)]
        page.locator("main input[name=email]").fill(f"giuseppe.{language}@example.org")
        page.locator("main label[for=privacy_consent]").click()
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{spid_server.url}/")
        page.goto("/account/profilo")
        assert fiscal[:3] + "*" * 11 + fiscal[-2:] in page.locator("main").inner_text()
        found += [(v, "/account/profilo (linked)") for v in page.evaluate(RUN_AXE, WCAG_21_AA)]
    finally:
        context.close()
    context, page = open_as(browser, spid_server, _password_user(spid_server, language), language, init_scripts=[AXE])
    try:
        page.goto("/account/profilo")
        assert page.locator("#my-identity ~ * button, #my-identity ~ div button").count() == 2
        found += [(v, "/account/profilo (link buttons)") for v in page.evaluate(RUN_AXE, WCAG_21_AA)]
    finally:
        context.close()
    failing = [(v, "visitor", language, url, "accounts.identity") for v, url in found if v["impact"] in FAILING_IMPACTS]
    assert not failing, describe(failing)
