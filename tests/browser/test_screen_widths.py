"""On a phone (390 px) and a laptop (1280 px): no page is wider than the screen, the menu carries
every link of the header, and the lab's event dashboard shows all its columns."""
from urllib.parse import urlsplit

import pytest

from tests.browser.demo_world import open_as, pages

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

PAGE_WIDTH = "[document.scrollingElement.scrollWidth, window.innerWidth]"


def too_wide(page, to_visit):
    """The pages wider than the window, as "url: width > window"."""
    found, seen = [], set()
    for _endpoint, url in to_visit:
        page.goto(url)
        landed = urlsplit(page.url)
        if (landed.path, landed.query) in seen:
            continue
        seen.add((landed.path, landed.query))
        width, window = page.evaluate(PAGE_WIDTH)
        if width > window:
            found.append(f"{url}: {width} > {window}")
    return found


@pytest.mark.parametrize("role", ["facilitator", "visitor"])
def test_no_page_is_wider_than_a_phone(browser, demo_server, role):
    email = {"facilitator": "facilitatore@example.org", "visitor": None}[role]
    context, page = open_as(browser, demo_server, email, "it", viewport=PHONE)
    try:
        assert too_wide(page, pages(demo_server.app, demo_server.values)) == []
    finally:
        context.close()


def test_the_moderation_queue_fits_a_phone(browser, demo_server, tmp_path):
    context, page = open_as(browser, demo_server, "facilitatore@example.org", "it", viewport=PHONE)
    page.goto("/moderazione/proposte")
    page.screenshot(path=str(tmp_path / "queue-390.png"), full_page=True)
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    # The table scrolls in its own box: its last column is reachable there.
    assert page.locator(".cl-table-scroll").first.evaluate("box => box.scrollWidth > box.clientWidth")
    context.close()


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_phone_menu_has_every_personal_link(browser, demo_server, language, tmp_path):
    context, page = open_as(browser, demo_server, "scuola@example.org", language, viewport=PHONE)
    page.goto("/")
    header_links = page.locator(".it-header-slim-right-zone a.cl-header-text")
    assert header_links.count() == 3
    assert not any(header_links.nth(n).is_visible() for n in range(3))  # too narrow for the header

    page.get_by_role("button", name={"it": "Mostra o nascondi il menu", "en": "Show or hide the menu"}[language]).click()
    menu = page.locator("#nav-main")
    labels = {"it": ["I miei eventi", "Le mie proposte", "Stanze"],
              "en": ["My events", "My proposals", "Rooms"]}[language]
    for label in labels:
        link = menu.get_by_role("link", name=label, exact=True)
        link.wait_for(state="visible")
    page.wait_for_timeout(500)  # the menu slides in
    page.screenshot(path=str(tmp_path / f"menu-390-{language}.png"))
    menu.get_by_role("link", name=labels[2], exact=True).click()
    page.wait_for_url(f"{demo_server.url}/stanze")
    context.close()


def test_a_visitor_finds_sign_up_in_the_phone_menu(browser, demo_server):
    context, page = open_as(browser, demo_server, None, "it", viewport=PHONE)
    page.get_by_role("button", name="Mostra o nascondi il menu").click()
    page.locator("#nav-main").get_by_role("link", name="Registrati").wait_for(state="visible")
    context.close()


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_lab_dashboard_shows_every_column_on_a_laptop(browser, demo_server, language, tmp_path):
    context, page = open_as(browser, demo_server, "facilitatore@example.org", language, viewport=LAPTOP)
    page.goto(f"/gestione/laboratori/{demo_server.values['lab_id'][0]}/eventi")
    page.screenshot(path=str(tmp_path / f"dashboard-1280-{language}.png"), full_page=True)
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    # No table hides a column behind its scroll: every box shows all it holds.
    hidden = page.locator(".cl-table-scroll").evaluate_all(
        "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth).map(b => b.scrollWidth + ' > ' + b.clientWidth)")
    assert hidden == []
    actions = page.locator("tbody td:last-child a")
    assert actions.count() >= 3
    box = page.locator("main .container").first.bounding_box()
    for n in range(actions.count()):
        link = actions.nth(n).bounding_box()
        assert link["x"] + link["width"] <= box["x"] + box["width"]
    context.close()
