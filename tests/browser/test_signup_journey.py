"""A citizen signs up, confirms the address from the mail, logs in and sees the profile."""
import re
import uuid

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "Laboratori-aperti-2024"
CONFIRM_LINK = re.compile(r"https?://\S+/account/conferma/\S+")


def assert_self_contained(watched):
    """Nothing came from another host and the CSP refused nothing."""
    assert watched.foreign_requests == []
    assert watched.csp_violations() == []
    assert watched.failed_requests == []


def test_citizen_registers_confirms_by_mail_logs_in_and_sees_the_profile(page, live_server):
    browser_page = page.page
    email = f"giulia-{uuid.uuid4().hex[:8]}@example.org"

    browser_page.goto("/account/registrati")
    browser_page.get_by_label("Indirizzo email").fill(email)
    browser_page.get_by_label("Nome visualizzato").fill("Giulia Rossi")
    browser_page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    browser_page.get_by_label("Ripeti la password").fill(PASSWORD)
    assert browser_page.get_by_label("Cittadino").is_checked()
    # Bootstrap Italia draws the checkbox on its label, which is what a person clicks.
    browser_page.get_by_text("Ho letto l'informativa sulla privacy").click()
    browser_page.get_by_role("button", name="Registrati").click()

    browser_page.wait_for_url("**/account/registrati/controlla-email")
    assert browser_page.get_by_role("heading", level=1).inner_text() == "Controlla la tua posta"

    (mail,) = live_server.mails_to(email)
    link = CONFIRM_LINK.search(mail.body).group(0)
    browser_page.goto(link)
    assert browser_page.get_by_role("heading", level=1).inner_text() == "Indirizzo email confermato"

    browser_page.goto("/account/accedi")
    browser_page.get_by_label("Indirizzo email").fill(email)
    browser_page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    browser_page.locator("main").get_by_role("button", name="Accedi").click()
    browser_page.wait_for_url(f"{live_server.url}/")

    browser_page.get_by_role("link", name="Il mio profilo: Giulia Rossi").click()
    browser_page.wait_for_url("**/account/profilo")
    assert browser_page.get_by_role("heading", level=1).inner_text() == "Il mio profilo"
    assert "Giulia Rossi" in browser_page.locator("main").inner_text()
    assert "confermato" in browser_page.locator("main").inner_text()
    assert_self_contained(page)
    assert page.console_errors == []


def test_public_pages_load_only_the_apps_own_assets_with_its_fonts(page):
    browser_page = page.page
    for path in ("/", "/accessibilita", "/privacy", "/pagina-che-non-esiste"):
        browser_page.goto(path)
        browser_page.evaluate("document.fonts.ready.then(() => true)")
        assert browser_page.evaluate("document.fonts.check('16px \"Titillium Web\"')"), path
    assert_self_contained(page)
    # Only the 404 page itself may be reported as an error.
    assert all("404" in text for text in page.console_errors), page.console_errors


def test_skip_link_is_the_first_stop_of_the_keyboard_and_leads_to_the_content(page):
    browser_page = page.page
    browser_page.goto("/accessibilita")
    browser_page.keyboard.press("Tab")
    focused = browser_page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Vai al contenuto"
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "main"
