"""The XSS corpus in Chromium: every payload stored as a proposal's title, text and place, as its
author's name, as a comment and a reply, and as a profile's presentation (some through the real
forms, the rest through the services), then every page that shows them visited.

Nothing may run: no dialog opens, window.__xss stays unset, no element carries an on…= handler
or a javascript:/vbscript:/data: link. The visiting contexts bypass the Content-Security-Policy,
so what is proven is the sanitiser's work, not the CSP's; one ordinary context notes the CSP
violations the pages would report (there should be none either).
"""
import math
import re

import pytest

from tests.browser.codesign_world import log_in, make_codesign_world
from tests.xss.corpus import PAYLOADS

pytestmark = pytest.mark.browser

# Every n-th payload also goes through the real forms (all of them would take minutes); a NUL
# byte in a form is refused before any form reads it (tests/unit/core/test_xss_corpus.py).
FORM_SAMPLE = [payload for payload in PAYLOADS[::9] if "\0" not in payload]

# Run in the page: what in the document could run or load script.
FIND_DANGERS = r"""() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\t\n\r]/g, "").replace(/^[\x00-\x20]+/, "").toLowerCase();
      if (name.startsWith("on")) found.push(`${element.tagName} ${name}=`);
      if (["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"].includes(name)
          && /^(javascript|vbscript|data):/.test(value)) found.push(`${element.tagName} ${name}=${value}`);
    }
  }
  for (const element of document.querySelectorAll(
      ".cl-user-html :is(script, iframe, object, embed, svg, math, style, base, meta, form, img, link)")) {
    found.push(`${element.tagName} inside user text`);
  }
  if (window.__xss !== undefined) found.push(`window.__xss = ${window.__xss}`);
  return found;
}"""


class Watcher:
    """A browser context without CSP whose pages record dialogs and page errors."""

    def __init__(self, browser, live_server, email=None):
        if email:
            self.context, self.page = log_in(browser, live_server, email, bypass_csp=True)
        else:
            self.context = browser.new_context(locale="it-IT", base_url=live_server.url, bypass_csp=True)
            self.page = self.context.new_page()
        self.dialogs, self.errors = [], []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message} on {self.page.url}")
        dialog.dismiss()

    def visit(self, path):
        self.page.goto(path)
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(30)  # let onerror/onload handlers of broken media fire
        return self.page.evaluate(FIND_DANGERS)

    def close(self):
        self.context.close()


def store_payloads(live_server, world):
    """Every payload as a published proposal (title, text, place) by an author named after it, and
    as a comment with a reply on the world's published proposal. Returns the proposal ids."""
    from civiclab.accounts.models import User
    from civiclab.accounts.services import update_profile
    from civiclab.comments.services import post_comment
    from civiclab.extensions import db
    from civiclab.proposals.models import Call, Proposal, ProposalState
    from civiclab.proposals.services import create_proposal, moderate_proposal
    from tests.browser.codesign_world import PASSWORD
    from tests.conftest import password_hash

    ids = []
    app = live_server.app
    with app.test_request_context("/"):
        call = db.session.get(Call, world["call_id"])
        facilitator = db.session.scalar(db.select(User).filter_by(email=world["facilitator"]))
        discussion = db.session.get(Proposal, world["published_id"])
        for n, payload in enumerate(PAYLOADS):
            if "\0" in payload:
                continue  # no service stores a NUL (core/text.clean_text refuses it, tests/unit/core/test_text.py)
            author = User(email=f"xss{n}-{world['tag']}@example.org", display_name=f"Autore {n}",
                          participant_type=facilitator.participant_type, password_hash=password_hash(PASSWORD),
                          privacy_consent_at=facilitator.created_at, email_confirmed_at=facilitator.created_at)
            db.session.add(author)
            db.session.flush()
            update_profile(author, display_name=f"{n} {payload}"[:80], bio=payload, locale="it")
            proposal = create_proposal(author, call, submit=True, title=f"Proposta {n} {payload}"[:200],
                                       body=payload, place=payload[:200], theme_id=call.themes[0].id)
            moderate_proposal(facilitator, proposal, ProposalState.ACCEPTED, f"Motivo {n}: {payload}")
            comment = post_comment(author, f"Commento {n} {payload}", proposal=discussion)
            post_comment(author, f"Risposta {n} {payload}", parent=comment)
            ids.append(proposal.id)
        db.session.commit()
    return ids


@pytest.fixture(scope="module")
def stored(live_server):
    """The world with every payload stored, once for this module's tests."""
    world = make_codesign_world(live_server)
    return world, store_payloads(live_server, world)


def test_no_payload_of_the_corpus_runs_in_the_browser(browser, live_server, stored):
    world, proposal_ids = stored
    dangers = {}
    watchers = []
    try:
        # The probe works: with the CSP bypassed, an injected handler does run and is seen.
        visitor = Watcher(browser, live_server)
        watchers.append(visitor)
        visitor.visit("/")
        visitor.page.evaluate("""() => document.body.insertAdjacentHTML("beforeend",
            '<img src="/nessuna-immagine" onerror="window.__xss = 1">')""")
        visitor.page.wait_for_function("window.__xss === 1")
        visitor.page.evaluate("delete window.__xss")

        # Through the real forms: Giulia writes proposals, comments and her presentation.
        giulia = Watcher(browser, live_server, world["giulia"])
        watchers.append(giulia)
        page = giulia.page
        for n, payload in enumerate(FORM_SAMPLE):
            page.goto(f"/call/{world['call_id']}/proponi")
            page.get_by_label("Titolo").fill(f"Dal modulo {n} {payload}"[:200])
            page.get_by_label("La tua proposta").fill(payload)
            page.get_by_label("Tema").select_option(label="Verde")
            page.get_by_label("Luogo (facoltativo)").fill(payload[:200])
            page.get_by_role("button", name="Invia ai facilitatori").click()
            page.wait_for_url(re.compile(r".*/proposte/\d+$"))
            dangers[f"form proposal {payload!r}"] = giulia.visit(page.url)

            page.goto(f"/proposte/{world['published_id']}")
            page.get_by_label("Il tuo commento").fill(f"Dal modulo {n} {payload}")
            page.get_by_role("button", name="Pubblica il commento").click()
            page.wait_for_url(re.compile(rf".*/proposte/{world['published_id']}.*"))

            page.goto("/account/profilo/modifica")
            page.get_by_label("Presentazione").fill(payload)
            page.locator("main").get_by_role("button", name="Salva").click()
            page.wait_for_url("**/account/profilo")
            dangers[f"profile {payload!r}"] = giulia.visit("/account/profilo")
        dangers["Le mie proposte"] = giulia.visit("/proposte/mie")

        # Every page that shows them, to an anonymous visitor.
        dangers["home"] = visitor.visit("/")
        for proposal_id in [world["published_id"], *proposal_ids]:
            dangers[f"/proposte/{proposal_id}"] = visitor.visit(f"/proposte/{proposal_id}")
        # The payloads are on the pages, shown as text (the first one is a script tag).
        visitor.visit(f"/proposte/{proposal_ids[0]}")
        assert PAYLOADS[0] in visitor.page.locator(".cl-user-html").first.inner_text()
        listed = len(proposal_ids) + len(FORM_SAMPLE) + 1
        for number in range(1, math.ceil(listed / 20) + 1):
            dangers[f"call page {number}"] = visitor.visit(f"/call/{world['call_id']}?page={number}")
        threads = 2 * len(PAYLOADS) + len(FORM_SAMPLE)
        for number in range(1, math.ceil(threads / 20) + 1):
            path = f"/proposte/{world['published_id']}?pagina_commenti={number}"
            dangers[f"comments page {number}"] = visitor.visit(path)
        dangers["search"] = visitor.visit("/cerca?q=Proposta")

        # The facilitator's pages: the queue with every state, a decision page with its history.
        paola = Watcher(browser, live_server, world["facilitator"])
        watchers.append(paola)
        for number in range(1, math.ceil(listed / 20) + 1):
            dangers[f"queue page {number}"] = paola.visit(f"/moderazione/proposte?stato=tutti&page={number}")
        for proposal_id in proposal_ids[::10]:
            dangers[f"decision {proposal_id}"] = paola.visit(f"/moderazione/proposte/{proposal_id}")

        found = {where: problems for where, problems in dangers.items() if problems}
        assert found == {}
        for watcher in watchers:
            assert watcher.dialogs == []
        # Page errors would mean some payload became script (a broken one still ran).
        assert [error for watcher in watchers for error in watcher.errors] == []
    finally:
        for watcher in watchers:
            watcher.close()


def test_the_pages_with_payloads_report_no_csp_violation(page, stored):
    """The same content with the CSP in force: nothing is even attempted (noted, and kept at none)."""
    world, proposal_ids = stored
    dialogs = []
    page.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    violations = {}
    for path in [f"/call/{world['call_id']}", f"/proposte/{world['published_id']}",
                 *(f"/proposte/{pid}" for pid in proposal_ids[::7])]:
        page.page.goto(path)
        page.page.wait_for_load_state("load")
        if page.csp_violations():
            violations[path] = page.csp_violations()
    assert violations == {} and dialogs == []
    assert page.foreign_requests == [] and page.failed_requests == []
