"""Every request has an id (the trusted proxy's, or a new one) that comes back in X-Request-ID,
is on every log line of the request and on the 500 page; the access line is JSON in production
and names the client nginx saw, never one a client claims."""
import contextvars
import io
import json
import logging
import re
from types import SimpleNamespace

import pytest

from civiclab.core.logs import JsonFormatter, RequestContext, RequestLog, configure_logging
from tests.conftest import login, make_app

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def log_lines():
    """The JSON lines the app's loggers write during the test, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContext())
    logger = logging.getLogger("civiclab")
    # Alembic's logging.config.fileConfig (migrations/env.py, run by every test app) disables the
    # loggers that existed before it: these tests read them, so they switch them back on.
    loggers = [logger, logging.getLogger("civiclab.access")]
    before = [(each.level, each.disabled) for each in loggers]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    for each in loggers:
        each.disabled = False
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        for each, (level, disabled) in zip(loggers, before):
            each.setLevel(level)
            each.disabled = disabled


def access_lines(lines):
    """The access lines: written when the server closes the answer (`buffered=True` closes it)."""
    return [line for line in lines if line["logger"] == "civiclab.access"]


@pytest.fixture(scope="module")
def failing_app(database_url):
    """An app that handles exceptions as production does, with a page and an API route that fail."""
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/guasto")
    def boom():
        raise RuntimeError("internal detail: password=hunter2")

    @app.get("/api/v1/guasto")
    def api_boom():
        raise RuntimeError("internal detail: password=hunter2")

    return app


def test_every_answer_carries_a_new_request_id(client):
    first, second = client.get("/privacy"), client.get("/privacy")
    assert HEX_ID.match(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_page_replayed_by_the_page_cache_gets_its_own_request_id(app):
    client = app.test_client()  # no cookie: the second answer comes from the front door
    first, second = client.get("/privacy"), client.get("/privacy")
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert len(second.headers.getlist("X-Request-ID")) == 1


def test_without_a_trusted_proxy_a_client_cannot_choose_its_request_id(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 0)
    response = client.get("/privacy", headers={"X-Request-ID": "chosen-by-the-client-1234"})
    assert HEX_ID.match(response.headers["X-Request-ID"])


def test_behind_a_trusted_proxy_its_request_id_is_kept(client, app, monkeypatch, log_lines):
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 1)
    given = "3f2a9c0d1e8b47f6a5c4d3e2f1a0b9c8"  # nginx's $request_id
    response = client.get("/privacy", headers={"X-Request-ID": given}, buffered=True)
    assert response.headers["X-Request-ID"] == given
    assert access_lines(log_lines())[-1]["request_id"] == given


@pytest.mark.parametrize("forged", ["short", "x" * 65, "abc def ghi", "abcdefgh\r\nSet-Cookie: a=b",
                                    "<script>alert(1)</script>", "ünïcödé-ïd-1234", "abcdefgh;rm"])
def test_a_proxy_request_id_that_is_not_an_id_is_replaced(client, app, monkeypatch, forged):
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 1)
    response = client.get("/privacy", environ_overrides={"HTTP_X_REQUEST_ID": forged})
    assert HEX_ID.match(response.headers["X-Request-ID"])


def test_the_access_line_is_json_with_the_request_and_the_client_nginx_saw(client, app, monkeypatch, log_lines):
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 1)
    # The client wrote an address in front; nginx appended the one it saw.
    response = client.get("/privacy?x=1", headers={"X-Forwarded-For": "10.6.6.6, 203.0.113.7"}, buffered=True)
    line = access_lines(log_lines())[-1]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/privacy", 200)
    assert line["client"] == "203.0.113.7"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and "timestamp" in line and "user_id" not in line


def test_without_a_trusted_proxy_the_access_line_names_the_connection_not_the_header(
        client, app, monkeypatch, log_lines):
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 0)
    client.get("/privacy", headers={"X-Forwarded-For": "203.0.113.7"},
               environ_overrides={"REMOTE_ADDR": "192.0.2.1"}, buffered=True)
    assert access_lines(log_lines())[-1]["client"] == "192.0.2.1"


def test_the_access_line_names_the_signed_in_user_by_id_never_by_email(client, make_user, log_lines):
    user = make_user(email="anna.rossi@example.org")
    login(client, user)
    client.get("/privacy", buffered=True)
    line = access_lines(log_lines())[-1]
    assert line["user_id"] == user.id
    assert "anna.rossi" not in json.dumps(log_lines())


def test_the_500_page_shows_the_request_id_and_the_log_has_the_error_with_it(failing_app, db_session, log_lines):
    response = failing_app.test_client().get("/guasto", buffered=True)
    html = response.get_data(as_text=True)
    rid = response.headers["X-Request-ID"]
    assert response.status_code == 500
    assert "Codice della richiesta" in html and rid in html
    assert "hunter2" not in html
    error = next(line for line in log_lines() if line["level"] == "ERROR")
    assert error["request_id"] == rid
    assert "RuntimeError: internal detail" in error["exception"]
    assert "/guasto" in error["message"] and "boom" in error["message"]
    assert access_lines(log_lines())[-1]["status"] == 500


def test_a_missing_page_shows_no_request_id(client):
    assert "Codice della richiesta" not in client.get("/pagina-che-non-esiste").get_data(as_text=True)


def test_an_api_server_error_keeps_the_error_shape_and_adds_the_request_id(failing_app, db_session):
    response = failing_app.test_client().get("/api/v1/guasto")
    body = response.get_json()
    assert response.status_code == 500
    assert set(body) == {"error"}
    assert body["error"]["code"] == "server_error"
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    assert "hunter2" not in response.get_data(as_text=True)


def test_json_logging_puts_one_json_handler_on_stderr(monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    civiclab = logging.getLogger("civiclab")
    monkeypatch.setattr(civiclab, "level", civiclab.level)
    app = SimpleNamespace(config={"LOG_FORMAT": "json"}, logger=logging.getLogger("civiclab.test-app"))
    configure_logging(app)
    configure_logging(app)  # a second app in the process does not add a second handler
    handlers = [handler for handler in root.handlers if getattr(handler, "civiclab_json", False)]
    assert len(handlers) == 1
    assert isinstance(handlers[0].formatter, JsonFormatter)
    assert civiclab.getEffectiveLevel() == logging.INFO


def test_a_log_line_outside_a_request_is_json_too():
    record = logging.LogRecord("civiclab.jobs", logging.WARNING, __file__, 1, "sent %s", ("3",), None)
    contextvars.Context().run(RequestContext().filter, record)  # as in a job worker: no request
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "sent 3" and line["level"] == "WARNING" and "request_id" not in line


def test_a_websocket_that_ends_is_logged_as_switched_protocols(log_lines):
    """Engine.IO under gunicorn ends a WebSocket by raising StopIteration, after its 101."""
    def websocket(environ, start_response):
        raise StopIteration()

    app = SimpleNamespace(config={"TRUSTED_PROXY_COUNT": 0})
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/socket.io/", "REMOTE_ADDR": "192.0.2.5",
               "HTTP_UPGRADE": "websocket"}
    with pytest.raises(StopIteration):
        RequestLog(app, websocket)(environ, lambda status, headers, exc_info=None: None)
    line = access_lines(log_lines())[-1]
    assert (line["path"], line["status"], line["client"]) == ("/socket.io/", 101, "192.0.2.5")


@pytest.mark.parametrize("given", ["abcdefgh\n", "abcdefgh\r\nX-Evil: 1", "abcdefgh\x00"])
def test_a_request_id_with_a_line_break_is_not_taken_from_a_trusted_proxy(given):
    from civiclab.core import logs

    taken = logs.incoming_request_id({"HTTP_X_REQUEST_ID": given}, 1)
    assert re.fullmatch(r"[0-9a-f]{32}", taken)
