"""The app's log: one access line per request, a request id on every line of that request, and
JSON lines on stderr in production (LOG_FORMAT=json; text in development).

The request id: an `X-Request-ID` that the proxy sent is kept when the app trusts a proxy
(TRUSTED_PROXY_COUNT > 0; nginx sets `X-Request-ID $request_id`, so the proxy's log and ours
share it) and it looks like an id (`^[A-Za-z0-9._-]{8,64}$`); otherwise a new one (uuid4, hex).
Behind no proxy a client could choose it, and so forge the id a citizen quotes to support.
It is in `g.request_id`, in the response's `X-Request-ID`, on the 500 page and in the API's 500s.

The access line is written by a WSGI middleware inside the trusted proxies (so the client's
address is the one nginx appended, after ProxyFix) and outside the page cache's front door (so a
page replayed without entering Flask is logged too, under its own request id): gunicorn's access
log, which sees only the proxy, is off (gunicorn.conf.py).
"""
import json
import logging
import re
import sys
import time
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import g, has_request_context
from werkzeug.wsgi import ClosingIterator

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
ENVIRON_ID = "civiclab.request_id"
ENVIRON_LOG = "civiclab.request_log"  # this request's facts, shared with Flask (a dict: copies of the environ share it)
ACCESS = logging.getLogger("civiclab.access")

# The request being answered by this thread or greenlet (gevent gives each greenlet its own context).
_current = ContextVar("civiclab_request", default=None)


def incoming_request_id(environ, trusted_proxies):
    """The proxy's id when a proxy is trusted and the id is safe to repeat, else a new one."""
    if trusted_proxies > 0:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        if REQUEST_ID.fullmatch(given):  # not match: `$` also matches before a final newline
            return given
    return uuid.uuid4().hex


def request_id():
    """The id of the request being answered (None outside one)."""
    if has_request_context() and g.get("request_id"):
        return g.request_id
    current = _current.get()
    return current["request_id"] if current else None


def signed_in_user_id():
    """The signed-in user's id when this request already loaded them (never a query of its own)."""
    if not has_request_context():
        return None
    user = g.get("_login_user")
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


class RequestLog:
    """WSGI middleware: the request id, the response header, the access line."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        rid = incoming_request_id(environ, int(self.app.config.get("TRUSTED_PROXY_COUNT") or 0))
        environ[ENVIRON_ID] = rid
        current = {"request_id": rid, "method": environ.get("REQUEST_METHOD"),
                   "path": environ.get("PATH_INFO"), "client": environ.get("REMOTE_ADDR")}
        environ[ENVIRON_LOG] = current
        token = _current.set(current)
        answer = {}

        def with_request_id(status, headers, exc_info=None):
            # A page replayed by the page cache carries the id of the request that stored it.
            headers = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            headers.append(("X-Request-ID", rid))
            answer["status"] = status
            return start_response(status, headers, exc_info)

        def log_access():
            try:
                status = int(answer.get("status", "0").split(" ", 1)[0] or 0)
                ACCESS.info("%s %s %s", current["method"], current["path"], status, extra={
                    "status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": current.get("user_id")})
            finally:
                try:
                    _current.reset(token)
                except ValueError:  # closed in another context than it was opened in
                    _current.set(None)

        try:
            result = self.wsgi_app(environ, with_request_id)
        except BaseException:
            # A WebSocket answered its handshake on the socket itself (101) and, once closed, ends
            # the request by raising (StopIteration under gunicorn, ConnectionError under Werkzeug).
            upgraded = environ.get("HTTP_UPGRADE", "").lower() == "websocket"
            answer.setdefault("status", "101" if upgraded else "500")
            log_access()
            raise
        return ClosingIterator(result, [log_access])


class RequestContext(logging.Filter):
    """Puts the request's id, method, path, client address and user id on every record."""

    def filter(self, record):
        current = _current.get() or {}
        for name in ("method", "path", "client"):
            if not hasattr(record, name):
                setattr(record, name, current.get(name))
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        if getattr(record, "user_id", None) is None:
            record.user_id = signed_in_user_id()
        return True


FIELDS = ("request_id", "method", "path", "status", "duration_ms", "client", "user_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line. A small formatter of our own rather than a library: the fields
    are these few, `json.dumps` writes them, and there is no dependency to keep up."""

    def format(self, record):
        line = {"timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(app):
    """JSON lines on stderr for LOG_FORMAT=json (the production default); otherwise Flask's text
    handler as it is. Either way every record of a request carries its context (RequestContext)."""
    from flask.logging import default_handler

    if not default_handler.filters:
        default_handler.addFilter(RequestContext())
    if (app.config.get("LOG_FORMAT") or "text").lower() != "json":
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "civiclab_json", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.civiclab_json = True
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContext())
    root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)  # libraries: warnings and errors
    logging.getLogger("civiclab").setLevel(logging.INFO)  # ours: the access lines too
    app.logger.removeHandler(default_handler)  # one line per record: the root's


def register_request_log(app):
    """The middleware (call it before core.network's register_network: it must see the address
    the trusted proxies leave) and the request's side: `g.request_id`, the signed-in user's id."""
    configure_logging(app)
    app.wsgi_app = RequestLog(app, app.wsgi_app)

    @app.before_request
    def remember_request_id():
        from flask import request

        g.request_id = request.environ.get(ENVIRON_ID) or uuid.uuid4().hex

    @app.after_request
    def remember_user(response):
        from flask import request

        current = request.environ.get(ENVIRON_LOG)
        if current is not None:
            current["user_id"] = signed_in_user_id()
        return response
