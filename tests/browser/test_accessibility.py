"""Accessibility: axe-core over every page a visitor and each demo role can reach, in Italian and in
English, finds no serious or critical WCAG 2.1 A/AA violation.

The pages come from the app's URL map: every GET endpoint, its arguments filled from the demo data
(seed-demo), so a new page is checked as soon as it exists; an argument the demo cannot fill fails
the test until it gets values in demo_world.py or the endpoint is skipped with its reason. axe-core is the
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

from tests.browser.demo_world import ROLES, open_as, pages

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

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


# What makes two answers the same page for axe: the <title> and <main> (per language), and the
# header (per role and language), without what changes on every request (tokens, the page to come
# back to) and, in the header, which menu item is the current one.
VOLATILE = re.compile(r'name="(?:csrf_token|next)" value="[^"]*"|nonce="[^"]*"')
CURRENT_ITEM = re.compile(r'aria-current="[^"]*"| active\b|id="header-search"[^>]*')


def fingerprints(html):
    def part(pattern, volatile=VOLATILE):
        found = re.search(pattern, html, re.DOTALL)
        return hash(volatile.sub("", VOLATILE.sub("", found.group(0)))) if found else None

    return (part(r"<title>.*?</title>") ^ (part(r"<main.*</main>") or 0),
            part(r"<header.*?</header>", CURRENT_ITEM))


def test_no_page_has_a_serious_or_critical_accessibility_violation(browser, demo_server):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install (npm ci installs axe-core)")
    to_visit = pages(demo_server.app, demo_server.values)
    violations, server_errors, checked = [], [], 0
    seen = set()
    for role, email in ROLES.items():
        for language in ("it", "en"):
            context, page = open_as(browser, demo_server, email, language, init_scripts=[AXE])
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



@pytest.mark.parametrize("language", ["it", "en"])
def test_the_token_page_showing_a_new_token_has_no_violation(browser, demo_server, language):
    """The token page (in the walk above) once more in the state only a POST reaches: a new token
    shown once, above the list; then a form sent without a name, with its error."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install (npm ci installs axe-core)")
    context, page = open_as(browser, demo_server, ROLES["participant"], language, init_scripts=[AXE])
    try:
        found = []
        page.goto("/account/token-api")
        page.locator("main input[name=name]").fill(f"Prova axe {language}")
        page.locator("main form[action='/account/token-api/nuovo'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/account/token-api"))
        assert page.locator("#new-token-value").input_value().startswith("clk_")
        found += page.evaluate(RUN_AXE, WCAG_21_AA)
        page.reload()
        assert page.locator("#new-token-value").count() == 0  # shown once
        page.locator("main form[action='/account/token-api/nuovo'] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#form-errors").count() == 1
        found += page.evaluate(RUN_AXE, WCAG_21_AA)
    finally:
        context.close()
    failing = [v for v in found if v["impact"] in FAILING_IMPACTS]
    assert not failing, describe([(v, "participant", language, "/account/token-api", "api_tokens.tokens") for v in failing])
