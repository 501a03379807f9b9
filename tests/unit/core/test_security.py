"""Security headers on every page, and a production config that refuses to start unsafe."""
import re

import pytest

import config
from civiclab import create_app


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accessibilita")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_pages_forbid_sniffing_framing_and_full_referrers(client):
    headers = client.get("/privacy").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP outside production


def test_error_pages_carry_the_same_headers(client):
    response = client.get("/pagina-che-non-esiste")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_pages_load_no_script_style_or_font_from_another_site(client):
    html = client.get("/").get_data(as_text=True)
    assets = re.findall(r'<(?:script|img)[^>]* src="([^"]*)"', html)
    assets += re.findall(r'<link[^>]* href="([^"]*)"', html)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    assert "<style" not in html and " style=" not in html and " onclick=" not in html
    assert re.search(r"<script(?![^>]* src=)[^>]*>", html) is None  # no inline script


def test_signed_in_pages_are_not_stored_by_browsers_or_proxies(client, make_user):
    from tests.conftest import login

    login(client, make_user())
    for path in ("/privacy", "/account/profilo", "/pagina-che-non-esiste"):
        assert client.get(path).headers.get("Cache-Control") == "private, no-store", path
    assert client.get("/account/i-miei-dati.json").headers["Cache-Control"] == "no-store"  # its own


def test_anonymous_pages_and_static_files_keep_their_caching(client, make_user):
    from tests.conftest import login

    assert "no-store" not in client.get("/privacy").headers.get("Cache-Control", "")
    login(client, make_user())
    assert "no-store" not in client.get("/static/css/civiclab.css").headers.get("Cache-Control", "")


def production_config():
    # Threading instead of gevent, so this test process needs no gevent monkey-patching.
    return type("Production", (config.ProductionConfig,), {"SOCKETIO_ASYNC_MODE": "threading"})


def test_production_session_cookies_are_secure_httponly_and_same_site(production_env):
    app = create_app(production_config())
    response = app.test_client().get("/account/accedi", base_url="https://civiclab.example.org")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("secret", [None, "", "short", config.Config.SECRET_KEY, "change-me-to-48-random-characters-change-me-change-me"])
def test_production_refuses_to_start_without_a_real_secret_key(production_env, secret):
    if secret is None:
        production_env.delenv("SECRET_KEY")
    else:
        production_env.setenv("SECRET_KEY", secret)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.ProductionConfig.check()
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_to_start_without_a_database_url(production_env):
    production_env.delenv("DATABASE_URL")
    with pytest.raises(config.ConfigError, match="DATABASE_URL"):
        config.ProductionConfig.check()
    with pytest.raises(config.ConfigError, match="DATABASE_URL"):
        create_app("production")


def test_an_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("CIVICLAB_ENV", "staging")
    with pytest.raises(config.ConfigError, match="CIVICLAB_ENV"):
        create_app()


def test_production_starts_with_a_real_secret_set_before_import():
    """The key read at import time must not be mistaken for the development default."""
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "CIVICLAB_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "DATABASE_URL": "sqlite://",
        "CIVICLAB_BASE_URL": "https://civiclab.example.org",
    }
    code = "import config; config.config_for().check(); print('started')"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "started" in result.stdout, result.stderr
