"""DOMAIN.md journey 4, on the demo data: the municipality publishes an outcome of its project
adopting a proposal and updates its progress; the proposal's author hears of it; a visitor opens
the outcome, the project's financial history (the chart's table) and downloads the open data.
The pages it walks pass axe-core (no serious or critical WCAG 2.1 A/AA violation).

It runs on the session's demo server (tests/browser/conftest.py `demo_server`), not on an app of
its own: Flask-SocketIO keeps one server object per extension, so a later app would take the
rooms of the session's live server away from them."""
import io
import re
import zipfile
from pathlib import Path

import pytest

from tests.browser.conftest import WATCH_CSP
from tests.browser.demo_world import open_as
from tests.browser.test_accessibility import AXE, FAILING_IMPACTS, RUN_AXE, WCAG_21_AA

pytestmark = pytest.mark.browser

STAFF = "comune.bologna@example.org"
OUTCOME = "Orti condivisi nei cortili delle scuole"


@pytest.fixture
def demo(demo_server):
    return demo_server


def main_text(page):
    return " ".join(page.locator("main").inner_text().replace("\u2019", "'").split())


def adoptable(server):
    """A published (not yet adopted) proposal of a call of the Bologna project, with its
    author's email and the project's code."""
    import sqlalchemy as sa

    from civiclab.accounts.models import User
    from civiclab.extensions import db
    from civiclab.programmes.models import Project
    from civiclab.proposals.models import Call, Proposal, ProposalState

    with server.app.app_context():
        row = db.session.execute(
            sa.select(Proposal.title, User.email, Project.code)
            .join(Call, Proposal.call_id == Call.id).join(Project, Call.project_id == Project.id)
            .join(User, Proposal.author_id == User.id)
            .where(Proposal.state == ProposalState.ACCEPTED, User.email.like("%@example.org"))
            .order_by(Proposal.id)).first()
        assert row is not None, "the demo has a published proposal under a project's call"
        return row


def open_page(browser, server, email=None):
    """Signed in as `email` (or a visitor) reading Italian: an account keeps the language it last
    chose, maybe in another test (demo_world.open_as switches it back)."""
    context, page = open_as(browser, server, email, "it", init_scripts=(AXE,), accept_downloads=True)
    context.add_init_script(WATCH_CSP)
    return context, page


def shows_percent(text, value):
    return re.search(rf"(?<![\d,]){value}(,0)?\s?%", text) is not None


def axe_violations(page):
    found = page.evaluate(RUN_AXE, WCAG_21_AA)
    return [f"{page.url}: {v['id']} ({v['impact']}) {v['help']}" for v in found if v["impact"] in FAILING_IMPACTS]


def test_staff_publish_an_outcome_its_proposal_author_hears_and_a_visitor_downloads_the_data(browser, demo):
    proposal_title, author_email, code = adoptable(demo)
    contexts, problems, violations = [], [], []

    def opened(email=None):
        context, page = open_page(browser, demo, email)
        contexts.append(context)
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    try:
        # The municipality's staff open the project sheet and publish an outcome adopting the proposal.
        staff = opened(STAFF)
        staff.goto(f"/progetti/{code}")
        staff.get_by_role("link", name="Nuovo risultato").click()
        staff.wait_for_url(f"**/progetti/{code}/risultati/nuovo")
        staff.get_by_label("Titolo").fill(OUTCOME)
        staff.get_by_label("Descrizione").fill("Cassoni rialzati curati dalle **classi** e dai residenti.")
        staff.get_by_label("Stato").select_option(label="In corso")
        staff.get_by_label("Avanzamento (%)").fill("20")
        staff.locator("label", has_text=proposal_title).first.click()
        violations += axe_violations(staff)
        staff.get_by_role("button", name="Salva il risultato").click()
        staff.wait_for_url(re.compile(r".*/risultati/\d+$"))
        outcome_url = staff.url
        text = main_text(staff)
        assert OUTCOME in text and shows_percent(text, 20) and proposal_title in text

        # The proposal is now adopted, and its page says where.
        staff.locator("main").get_by_role("link", name=proposal_title).first.click()
        assert "Adottata" in main_text(staff) and OUTCOME in main_text(staff)

        # Later the staff update its progress.
        staff.goto(outcome_url)
        staff.get_by_role("link", name="Modifica il risultato").click()
        staff.get_by_label("Avanzamento (%)").fill("60")
        staff.get_by_role("button", name="Salva il risultato").click()
        staff.wait_for_url(outcome_url)
        assert shows_percent(main_text(staff), 60)

        # The proposal's author reads the news among their notifications and opens the outcome.
        author = opened(author_email)
        author.goto("/notifiche")
        assert OUTCOME in main_text(author)
        violations += axe_violations(author)
        author.locator("main").get_by_role("link", name=re.compile(re.escape(OUTCOME))).first.click()
        author.wait_for_url(outcome_url)

        # A visitor opens the outcome, then the project's financial history, then the open data.
        visitor = opened()
        visitor.goto(outcome_url)
        assert shows_percent(main_text(visitor), 60) and proposal_title in main_text(visitor)
        violations += axe_violations(visitor)
        visitor.goto(f"/progetti/{code}")
        table = visitor.locator("table", has=visitor.locator("caption", has_text="Rilevazioni degli importi"))
        assert table.locator("tbody tr").count() >= 3  # the demo's three snapshots
        assert visitor.locator("svg[role=img]").count() >= 1
        violations += axe_violations(visitor)
        visitor.locator("footer").get_by_role("link", name="Dati aperti").click()
        visitor.wait_for_url("**/dati-aperti")
        violations += axe_violations(visitor)
        with visitor.expect_download() as download:
            visitor.get_by_role("link", name=re.compile("Archivio ZIP")).click()
        archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
        names = archive.namelist()
        assert "LICENSE" in names and any(name.startswith("README") for name in names)
        outcomes_csv = next(name for name in names if name.startswith("risultati"))
        assert OUTCOME in archive.read(outcomes_csv).decode("utf-8-sig")

        for context in contexts:
            for page in context.pages:
                assert page.evaluate("window.__cspViolations || []") == []
        assert violations == []
        assert problems == []
    finally:
        for context in contexts:
            context.close()
