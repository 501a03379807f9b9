"""Accessibility: axe-core over every page a visitor and each demo role can reach, in Italian and in
English, finds no serious or critical WCAG 2.1 A/AA violation.

The pages come from the app's URL map: every GET endpoint, its arguments filled from the demo data
(seed-demo), so a new page is checked as soon as it exists; an argument the demo cannot fill fails
the test until it gets values below or the endpoint is skipped with its reason. axe-core is the
npm package pinned in package.json (scripts/install runs `npm ci`), injected into each page from
node_modules by the browser itself, never from a CDN.

One browser; one context per role and language, signed in once. Each URL is first fetched with a
plain request; the browser renders it and axe reads it only when it shows something no earlier
visit showed: new content in <main> (for that language), a new header (for that role and
language), or an error status not seen yet.
"""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import serving

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
DEMO_PASSWORD = "civiclab-demo"

ROLES = {
    "visitor": None,
    "participant": "cittadino@example.org",
    "teacher": "scuola@example.org",  # a school's active member
    "facilitator": "facilitatore@example.org",
    "staff": "comune.bologna@example.org",  # municipality staff of Bologna
    "admin": "admin@example.org",
}

# GET endpoints that are not pages, with the reason. POST-only endpoints are actions, never pages:
# the forms that send them are on pages that are checked.
SKIPPED = {
    "static": "static files",
    "accounts.export": "a JSON download",
    "events.event_ics": "a calendar download",
    "events.city_feed": "a calendar download",
    "events.lab_feed": "a calendar download",
    "events.attendance_csv": "a CSV download",
    "proposals.attachment": "a file download",
    "notifications.follow": "marks a notification read and redirects to its subject",
    "proposals.similar": "a fragment the proposal form's script puts into the page, not a page",
}

# Pages the URL map alone does not reach: states of a page that a query string selects.
EXTRA_URLS = ["/cerca?q=laboratorio", "/cerca?q=nessun-risultato-possibile"]

# axe's run, then a second look at the text axe leaves undecided because its glyphs overflow its
# own opaque box (a badge with line-height 1): behind such text is its own background, so the
# contrast is that of its colour on that background, held to the ratio axe expected.
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                           resultTypes: ["violations", "incomplete"]});
  const found = results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
  const {Color, getContrast, getOwnBackgroundColor, flattenColors} = axe.commons.color;
  const undecided = results.incomplete.filter((v) => v.id === "color-contrast").flatMap((v) => v.nodes);
  const ownBox = [];
  for (const node of undecided) {
    const element = document.querySelector(node.target[0]);
    const data = node.any[0] && node.any[0].data;
    if (!element || !data || data.messageKey !== "elmPartiallyObscured") continue;
    const style = getComputedStyle(element);
    const background = getOwnBackgroundColor(style);
    if (background.alpha < 1) continue;
    const text = new Color();
    text.parseString(style.color);
    const ratio = getContrast(background, text.alpha < 1 ? flattenColors(text, background) : text);
    const expected = parseFloat(data.expectedContrastRatio);
    if (ratio < expected) {
      ownBox.push({target: node.target.join(" "),
                   summary: `contrast ${ratio.toFixed(2)}:1 of "${element.textContent.trim()}" `
                            + `(${style.color} on ${style.backgroundColor}), expected ${expected}:1`});
    }
  }
  if (ownBox.length) {
    found.push({id: "color-contrast-own-box", impact: "serious",
                help: "Text on its own background must have sufficient contrast", nodes: ownBox});
  }
  return found;
}"""


def demo_values(app):
    """URL argument -> the demo values it is tried with; endpoint-specific values under
    "<endpoint>:<argument>". Several values where a page shows different states (a published
    proposal, one sent back for changes, one in review)."""
    import sqlalchemy as sa

    from civiclab.accounts.models import Organisation, User
    from civiclab.accounts.tokens import reset_token
    from civiclab.comments.models import Comment
    from civiclab.events.models import Event, Registration
    from civiclab.events.tokens import booking_token, registration_token
    from civiclab.extensions import db
    from civiclab.places.models import City, Lab
    from civiclab.programmes.models import Project
    from civiclab.proposals.models import Call, Proposal, ProposalState
    from civiclab.rooms.models import Room

    def one(model, **by):
        return db.session.scalars(sa.select(model).filter_by(**by)).first()

    with app.test_request_context():
        bologna = one(City, slug="bologna")
        lab = one(Lab, city_id=bologna.id)
        user = {email: one(User, email=email) for email in ROLES.values() if email}
        school_event = one(Event, title="Robotica educativa: una mattina per le scuole")
        full_event = one(Event, title="Mappare i bisogni del quartiere")
        past_event = one(Event, title="Presentazione dell'Accelerazione civica")
        guest = db.session.scalars(sa.select(Registration).where(
            Registration.event_id == full_event.id, Registration.guest_email.is_not(None))
            .order_by(Registration.id.desc())).first()  # the last guest: on the waiting list
        proposals = [db.session.scalars(sa.select(Proposal).filter_by(state=state).order_by(Proposal.id)).first()
                     for state in (ProposalState.ACCEPTED, ProposalState.CHANGES_REQUESTED,
                                   ProposalState.SUBMITTED)]
        rooms = [one(Room, lab_id=lab.id), one(Room, event_id=school_event.id)]
        return {
            "slug": [bologna.slug],
            "city_slug": [bologna.slug],
            "lab_slug": [lab.slug],
            "lab_id": [lab.id],
            "code": [one(Project, city_id=bologna.id).code],
            "org_id": [one(Organisation, name="Scuola demo CivicLab").id],
            "event_id": [school_event.id, full_event.id, past_event.id],
            "registration_id": [
                one(Registration, event_id=school_event.id, user_id=user["scuola@example.org"].id).id,
                one(Registration, event_id=full_event.id, user_id=user["cittadino@example.org"].id).id,
            ],
            "call_id": [call.id for call in db.session.scalars(sa.select(Call).order_by(Call.id))],
            "proposal_id": [proposal.id for proposal in proposals if proposal is not None],
            "comment_id": [db.session.scalars(sa.select(Comment).order_by(Comment.id)).first().id],
            "room_id": [room.id for room in rooms if room is not None],
            "user_id": [user["cittadino@example.org"].id],
            "accounts.confirm:token": ["not-a-token"],
            "accounts.reset:token": [reset_token(user["cittadino@example.org"]), "not-a-token"],
            "events.guest_confirm:token": [booking_token(full_event, "Ospite nuova", "ospite.nuova@example.org")],
            "events.guest_registration:token": [registration_token(guest)],
        }


def pages(app, values):
    """Every (endpoint, URL) to visit, from the URL map; fails on an argument without values."""
    from itertools import product

    from flask import url_for

    found, missing = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in SKIPPED:
                continue
            arguments = sorted(rule.arguments)
            choices = []
            for name in arguments:
                choice = values.get(f"{rule.endpoint}:{name}", values.get(name))
                if not choice:
                    missing.append(f"{rule.endpoint} <{name}>")
                choices.append(choice or [])
            for combination in product(*choices):
                url = url_for(rule.endpoint, **dict(zip(arguments, combination, strict=True)))
                found.append((rule.endpoint, urlsplit(url)._replace(scheme="", netloc="").geturl()))
    assert not missing, (
        "no demo value for these URL arguments: add them to demo_values() or the endpoint to SKIPPED "
        "with its reason: " + ", ".join(missing))
    return found + [("extra", url) for url in EXTRA_URLS]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install (npm ci installs axe-core)")

    def seed(app):
        from civiclab.demo import seed_demo
        from civiclab.extensions import db

        with app.app_context():
            seed_demo()
            db.session.commit()

    # Static files cached by the browser: a page costs one request, not nine.
    with serving(tmp_path_factory.mktemp("a11y") / "demo.sqlite3", prepare=seed,
                 SEND_FILE_MAX_AGE_DEFAULT=3600) as server:
        with server.app.app_context():
            server.values = demo_values(server.app)
        yield server


def open_as(browser, server, email, language, **context_options):
    """A context signed in as `email` (or a visitor's, for None) reading `language`, and its page."""
    context = browser.new_context(locale="it-IT", base_url=server.url, **context_options)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    if email:
        page.goto("/account/accedi")
        page.locator("main input[name=email]").fill(email)
        page.locator("main input[name=password]").fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"{server.url}/")
    else:
        page.goto("/")
    if language != "it":
        with page.expect_navigation():
            page.locator(f"form.cl-lang-switch button[value={language}]").click()
    assert page.locator("html").get_attribute("lang") == language
    return context, page


# What makes two answers the same page for axe: the <title> and <main> (per language), and the
# header (per role and language), without the parts that change on every request or page.
VOLATILE = re.compile(r'(name="(?:csrf_token|next)" value|nonce|aria-current|class)="[^"]*"')


def fingerprints(html):
    def part(pattern):
        found = re.search(pattern, html, re.S)
        return hash(VOLATILE.sub("", found.group(0))) if found else None

    return part(r"<title>.*?</title>") ^ (part(r"<main.*</main>") or 0), part(r"<header.*?</header>")


def test_no_page_has_a_serious_or_critical_accessibility_violation(browser, demo_server):
    to_visit = pages(demo_server.app, demo_server.values)
    violations, server_errors, checked = [], [], 0
    seen = set()
    for role, email in ROLES.items():
        for language in ("it", "en"):
            context, page = open_as(browser, demo_server, email, language)
            for endpoint, url in to_visit:
                # A cheap request first (the context's cookies): the browser renders and axe reads
                # only what no earlier visit has shown.
                answer = context.request.get(url)
                if answer.status >= 500:
                    server_errors.append(f"{answer.status} {url} ({role}, {language})")
                    continue
                body, header = fingerprints(answer.text())
                new = {(language, "status", answer.status) if answer.status >= 400 else (language, body),
                       (role, language, header)} - seen
                if not new:
                    continue
                seen |= new
                page.goto(url)
                checked += 1
                for violation in page.evaluate(RUN_AXE, WCAG_21_AA):
                    if violation["impact"] in FAILING_IMPACTS:
                        violations.append((violation, role, language, page.url, endpoint))
            context.close()

    assert not server_errors, "pages answered with a server error:\n" + "\n".join(server_errors)
    assert checked > 100, f"only {checked} pages were checked"
    assert not violations, describe(violations)


def describe(violations):
    """One paragraph per axe rule: what it is, then where (role, language, page, elements)."""
    by_rule = {}
    for violation, role, language, url, endpoint in violations:
        by_rule.setdefault((violation["id"], violation["impact"], violation["help"]), []).append(
            f"  {role}/{language} {urlsplit(url).path} ({endpoint}): "
            + "; ".join(node["target"] for node in violation["nodes"][:5])
            + (f" (+{len(violation['nodes']) - 5})" if len(violation["nodes"]) > 5 else ""))
    lines = [f"{sum(len(v) for v in by_rule.values())} serious or critical axe violations:"]
    for (rule, impact, help_text), where in sorted(by_rule.items()):
        lines.append(f"{rule} ({impact}): {help_text}")
        lines.extend(where)
        example = next(v for v, *_ in violations if v["id"] == rule)["nodes"][0]["summary"]
        lines.append("  e.g. " + re.sub(r"\s+", " ", example))
    return "\n".join(lines)

