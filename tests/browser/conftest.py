"""Browser tests: the app served on a loopback port, driven by Playwright in Debian's chromium.

The live app runs in a background thread on its own SQLite file, with CSRF on (real forms, real
tokens). Mail is captured through Flask-Mail's email_dispatched signal, so a test can read the
link a message carries. Each page records requests to other hosts, CSP violations and console
errors, which tests assert are empty: everything must be served by the app itself.
"""
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from flask_mail import email_dispatched
from werkzeug.serving import make_server

from tests.conftest import make_app
from tests.integration.services import free_port, unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

# Runs in the page before any of its scripts (injected by the browser, so the CSP does not apply):
# collects Content-Security-Policy violations the page would otherwise only log.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@dataclass
class LiveServer:
    app: object
    url: str
    mails: list = field(default_factory=list)
    values: dict = field(default_factory=dict)

    def mails_to(self, address):
        return [m for m in self.mails if address in m.recipients]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("live") / "civiclab.sqlite3") as server:
        yield server


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The demo data (seed-demo) served live, `values` filling the URL map's arguments."""
    from tests.browser.demo_world import demo_values, seed

    # Static files cached by the browser: a page costs one request, not nine.
    with serving(tmp_path_factory.mktemp("demo") / "demo.sqlite3", prepare=seed,
                 SEND_FILE_MAX_AGE_DEFAULT=3600) as server:
        with server.app.app_context():
            server.values = demo_values(server.app)
        yield server


@contextmanager
def serving(database, prepare=None, **config):
    """A LiveServer on a loopback port over a new SQLite file, with `config` on top of the testing
    one; `prepare(app)` runs before serving."""
    port = free_port()
    app = make_app(
        f"sqlite:///{database}",
        **{"SERVER_NAME": f"127.0.0.1:{port}", "CIVICLAB_BASE_URL": f"http://127.0.0.1:{port}",
           "WTF_CSRF_ENABLED": True, **config},
    )
    if prepare:
        prepare(app)
    server = LiveServer(app=app, url=f"http://127.0.0.1:{port}")

    def capture(sender, message, **extra):
        server.mails.append(message)

    # Flask-Mail 0.10 sends the signal with the app as sender: only this app's mail is kept.
    email_dispatched.connect(capture, sender=app, weak=False)
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        email_dispatched.disconnect(capture)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class WatchedPage:
    """A Playwright page and what it did that a test may want to forbid."""

    page: object
    origin: str
    foreign_requests: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)

    def csp_violations(self):
        return self.page.evaluate("window.__cspViolations || []") + [
            text for text in self.console_errors if "Content Security Policy" in text
        ]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="it-IT", base_url=live_server.url)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    watched = WatchedPage(page=page, origin=live_server.url)
    own_host = urlsplit(live_server.url).netloc

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != own_host:
            watched.foreign_requests.append(request.url)

    page.on("request", on_request)
    # ERR_ABORTED is a request the next navigation cancelled (say, the favicon): not a failure.
    page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
            and watched.failed_requests.append(f"{r.url} {r.failure}"))
    page.on("console", lambda m: m.type == "error" and watched.console_errors.append(m.text))
    yield watched
    context.close()
