"""Back after sending a proposal, then "Invia" again: signed-in pages are no-store, so Chromium
draws the form again (a new form key) and refills what was typed; still one proposal."""
import pytest
import sqlalchemy as sa

from tests.browser.codesign_world import log_in, make_codesign_world

pytestmark = pytest.mark.browser


def test_back_and_send_again_lands_on_the_first_proposal(browser, live_server):
    from civiclab.extensions import db
    from civiclab.proposals.models import Proposal

    world = make_codesign_world(live_server, people=("Lucia Verdi",))
    title = "Panchine all'ombra alla fermata"
    context, page = log_in(browser, live_server, world["lucia"])
    try:
        page.goto(f"/call/{world['call_id']}/proponi")
        page.get_by_label("Titolo").fill(title)
        page.get_by_label("La tua proposta").fill("Servono panchine all'ombra per chi aspetta l'autobus.")
        page.get_by_label("Tema").select_option(label="Verde")
        page.get_by_role("button", name="Invia ai facilitatori").click()
        page.wait_for_url("**/proposte/*")
        first = page.url

        page.go_back()
        assert page.get_by_label("Titolo").input_value() == title  # the browser refilled the form
        page.get_by_role("button", name="Invia ai facilitatori").click()
        page.wait_for_url("**/proposte/*")

        assert page.url == first
        assert "Già inviato" in page.locator("main").inner_text()
        with live_server.app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(Proposal.id)).where(Proposal.title == title)) == 1
    finally:
        context.close()
