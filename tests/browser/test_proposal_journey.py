"""DOMAIN.md journey 2: a citizen proposes an idea under an open call of a project; a facilitator
asks for a change, the citizen edits, the facilitator accepts it; others support and comment."""
import re

import pytest

from tests.browser.codesign_world import log_in, make_codesign_world, set_call_phase
from tests.browser.conftest import WATCH_CSP

pytestmark = pytest.mark.browser

CHANGE_REASON = "Indica in quale cortile e chi se ne prenderebbe cura d'estate."
ACCEPT_REASON = "Ora è chiara: la pubblichiamo."


def main_text(page):
    return " ".join(page.locator("main").inner_text().replace("\u2019", "'").split())


def decide(page, title, decision, reason):
    """The facilitator opens the queue from the header, then the proposal, and decides."""
    page.goto("/")
    page.get_by_role("link", name=re.compile(r"^Moderazione")).first.click()
    page.wait_for_url("**/moderazione/proposte")
    page.locator("main").get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r".*/moderazione/proposte/\d+$"))
    page.locator("label", has_text=decision).click()  # Bootstrap Italia draws the radio on its label
    assert page.get_by_label(decision).is_checked()
    page.get_by_label("Motivo").fill(reason)
    page.get_by_role("button", name="Registra la decisione").click()
    page.wait_for_load_state()


def test_a_proposal_is_changed_on_request_accepted_supported_and_discussed(browser, live_server):
    world = make_codesign_world(live_server)
    title = "Orto condiviso nel cortile di via Libia"
    contexts, problems = [], []

    def signed_in(email):
        context, page = log_in(browser, live_server, email, WATCH_CSP)
        contexts.append((context, page))
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    try:
        # Giulia opens the call from the home page and writes her proposal.
        giulia = signed_in(world["giulia"])
        giulia.locator("main").get_by_role("link", name=world["call_title"]).first.click()
        giulia.wait_for_url(f"**/call/{world['call_id']}")
        giulia.get_by_role("link", name="Proponi un’idea").click()
        # While she types the title, the similar published proposal shows up.
        giulia.get_by_label("Titolo").press_sequentially("Orto condiviso nel cortile", delay=20)
        similar = giulia.locator(".cl-similar li")
        similar.first.wait_for(timeout=5000)
        assert world["published_title"] in similar.first.inner_text()
        giulia.get_by_label("Titolo").fill(title)
        giulia.get_by_label("La tua proposta").fill("Un orto con le **classi** del quartiere.")
        giulia.get_by_label("Tema").select_option(label="Verde")
        giulia.get_by_role("button", name="Invia ai facilitatori").click()
        giulia.wait_for_url(re.compile(r".*/proposte/\d+$"))
        proposal_url = giulia.url
        assert title in main_text(giulia) and "In valutazione" in main_text(giulia)

        # Paola, the lab's facilitator, asks for a change with a reason.
        paola = signed_in(world["facilitator"])
        decide(paola, title, "Chiedi modifiche all'autore", CHANGE_REASON)

        # Giulia reads the reason in "Le mie proposte" and on the proposal page, edits, resubmits.
        giulia.get_by_role("link", name="Le mie proposte").first.click()
        giulia.wait_for_url("**/proposte/mie")
        assert "Modifiche richieste" in main_text(giulia) and CHANGE_REASON in main_text(giulia)
        giulia.locator("main").get_by_role("link", name=title).click()
        assert CHANGE_REASON in main_text(giulia)
        giulia.get_by_role("link", name="Modifica la proposta").click()
        giulia.get_by_label("La tua proposta").fill(
            "Un orto con le **classi** del quartiere nel cortile di via Libia; d'estate lo curano i residenti.")
        giulia.get_by_role("button", name="Invia ai facilitatori").click()
        giulia.wait_for_url(proposal_url)
        assert "In valutazione" in main_text(giulia) and "d'estate lo curano i residenti" in main_text(giulia)

        # Paola accepts it, with a reason.
        decide(paola, title, "Accetta e pubblica", ACCEPT_REASON)
        giulia.reload()
        assert "Pubblicata" in main_text(giulia) and ACCEPT_REASON in main_text(giulia)

        # The call moves on to its supports phase; Marco supports the proposal and comments.
        set_call_phase(live_server, world["call_id"], "supports")
        marco = signed_in(world["marco"])
        marco.locator("main").get_by_role("link", name=world["call_title"]).first.click()
        marco.locator("main").get_by_role("link", name=title).click()
        marco.wait_for_url(proposal_url)
        marco.get_by_role("button", name="Sostieni", exact=True).click()
        marco.wait_for_load_state()
        assert "1 sostegno" in main_text(marco)
        marco.get_by_label("Il tuo commento").fill("Ottima idea, do una mano con gli attrezzi.")
        marco.locator("label", has_text="A favore").click()
        assert marco.get_by_label("A favore").is_checked()
        marco.get_by_role("button", name="Pubblica il commento").click()
        marco.wait_for_load_state()
        assert "Ottima idea, do una mano con gli attrezzi." in main_text(marco)

        # Giulia replies to Marco.
        giulia.goto(proposal_url)
        comment = giulia.locator("article.cl-comment", has_text="Ottima idea")
        comment.locator("summary", has_text="Rispondi").click()
        comment.get_by_label(f"La tua risposta a {world['marco_name']}").fill("Grazie Marco, ti aspettiamo sabato!")
        comment.get_by_role("button", name="Pubblica la risposta").click()
        giulia.wait_for_load_state()
        text = main_text(giulia)
        assert "Grazie Marco, ti aspettiamo sabato!" in text and "A favore" in text
        assert "1 sostegno" in text
        assert re.search(r"Commenti\s+2", text)

        # The call's list shows the counts too.
        giulia.goto(f"/call/{world['call_id']}")
        card = giulia.locator("article", has_text=title)
        assert "1 sostegno" in card.inner_text() and "2 commenti" in card.inner_text()

        for _context, page in contexts:
            assert page.evaluate("window.__cspViolations || []") == []
        assert problems == []
    finally:
        for context, _page in contexts:
            context.close()
