"""Whole public pages for visitors, kept in memory until the next committed change.

A visitor (nobody signed in, no remember-me cookie, nothing in the session but a chosen language
or a CSRF secret: no flash waiting, no random order, no form owner) asking for a page its domain
marked `@public_page` gets the page this process rendered for the same address, language and
*data version* within the same minute, without touching the rest of the stack. Everyone else
(signed-in people, visitors with a flash) goes through the whole stack as before, and nothing they
see is stored.

Correctness rests on the key, never on a timeout:
- the data version changes after every committed transaction that wrote rows a public page may
  show (core/changes.py watches every session's flushes, ORM bulk statements and raw DML
  through `db.session.execute`; a rollback tells nothing). It is read BEFORE the page is rendered,
  so a page is stored under a version no newer than the data it shows. Across processes: Redis
  (`REDIS_URL`: INCR after each such commit, GET per lookup); on SQLite also `PRAGMA data_version`
  on a dedicated connection (it moves when ANY other connection commits, CLI commands and raw SQL
  included; 8 µs); on PostgreSQL without Redis, `pg_current_snapshot()` on a dedicated autocommit
  connection (it moves when any write transaction starts or ends on the server, raw SQL included:
  correct, but a busy shared server invalidates often; one round trip, about 150 µs, like Redis's
  GET). With Redis on PostgreSQL, a write made outside CivicLab (psql) is not announced: the
  minute bucket below bounds how long it can go unseen;
- what changes with the clock alone (registration open or closed, upcoming or past, late
  milestones) is bounded by a time bucket: an entry lives in one minute (`PAGE_CACHE_SECONDS`);
- the language the page is rendered in (the visitor's choice, else Accept-Language) and the
  host and path with the query string (pagination and filters are separate pages).
A page that put something personal in the body while it was rendered (a CSRF token, a form key,
anything that calls `personal()`) or that changed the session is not stored, and neither is a
response other than a 200 HTML page without a Cache-Control of its own.

Visitor pages that may be stored carry a strong ETag of their body (`If-None-Match` -> 304),
`Cache-Control: public, no-cache` (a proxy may keep them but asks every time) and
`Vary: Accept-Language, Cookie`. Signed-in pages stay `private, no-store` (core/security.py).
Storage is an LRU per process bounded in bytes; old versions are never looked up again and age out.
"""
import hashlib
import sqlite3
import threading
import time
import weakref
from collections import OrderedDict

from flask import current_app, g, has_app_context, request, session
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from civiclab.core import changes
from civiclab.core.i18n import chosen_language

# Tables no public page shows: writing only these does not change the data version.
PRIVATE_TABLES = frozenset({"user_sessions", "form_keys", "notifications", "notification_preferences",
                            "room_reads", "upload_records", "access_tokens", "audit_entries"})
# What a visitor's session may hold and still share pages with others: the language chosen and
# Flask-WTF's secret (the token itself is never in a stored page: see `_storable`).
SHARED_SESSION_KEYS = frozenset({"lang", "csrf_token", "_permanent", "_fresh"})
SHAREABLE = "civiclab.page_cache.shareable"  # environ: where the app says its answer may be shared
# A proxy may keep a visitor's page but must ask each time (ETag): it never serves one stale.
CACHE_CONTROL = "public, no-cache"


def public_page(view):
    """Mark a view whose page is the same for every visitor (its domain's routes use it)."""
    view.public_page = True
    return view


def personal():
    """Say that the page being rendered holds something of this visitor's: it is not stored."""
    g.page_cache_personal = True


def _size(key, entry):
    return len(entry[0]) + sum(len(part) for part in key if isinstance(part, str)) + 300


class PageStore:
    """An LRU of rendered pages, bounded in bytes."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._entries = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.stores = 0

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return entry

    def put(self, key, entry, rendered=True):
        """Keep `entry` (its body first); `rendered`: a page the app rendered (counted in `stores`)."""
        size = _size(key, entry)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self._bytes += size
            self.stores += rendered
            while self._bytes > self.max_bytes:
                old_key, old_entry = self._entries.popitem(last=False)
                self._bytes -= _size(old_key, old_entry)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class DataVersion:
    """What changes after every committed write a public page may show, in this process and others."""

    def __init__(self, engine, redis_url=None):
        self.local = 0
        self._lock = threading.Lock()
        self._redis = self._sqlite = self._pg = None
        self._engine = engine
        self._redis_key = "civiclab:page-cache:version"
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=1)
        self._sqlite_path = (engine.url.database if engine.dialect.name == "sqlite"
                             and engine.url.database not in (None, "", ":memory:") else None)
        self._postgres = engine.dialect.name == "postgresql" and not redis_url

    def bump(self):
        """After a commit that wrote public rows."""
        with self._lock:
            self.local += 1
        if self._redis is not None:
            try:
                self._redis.incr(self._redis_key)
            except Exception:
                current_app.logger.exception("page cache: could not bump the version in Redis")

    def read(self):
        """The current version, or None when it cannot be known (then nothing is cached)."""
        parts = [self.local]
        if self._redis is not None:
            try:
                parts.append(self._redis.get(self._redis_key))
            except Exception:  # noqa: BLE001 — Redis down: serve every page fresh
                return None
        if self._sqlite_path:
            parts.append(self._sqlite_data_version())
        if self._postgres:
            snapshot = self._postgres_snapshot()
            if snapshot is None:
                return None
            parts.append(snapshot)
        return tuple(parts)

    def _postgres_snapshot(self):
        # One round trip on a connection of its own, in autocommit: a pooled connection would
        # add a ping and a rollback to every look-up (about 600 µs against 150 µs here).
        with self._lock:
            try:
                if self._pg is None:
                    self._pg = self._engine.raw_connection()
                    self._pg.driver_connection.autocommit = True
                cursor = self._pg.driver_connection.execute("SELECT pg_current_snapshot()::text")
                return cursor.fetchone()[0]
            except Exception:  # noqa: BLE001 — the server went away: no cache this time, a new connection next
                broken, self._pg = self._pg, None
                if broken is not None:
                    broken.invalidate()
                return None

    def _sqlite_data_version(self):
        # PRAGMA data_version changes when another connection (of any process) commits; this
        # connection never writes, so every commit counts.
        with self._lock:
            if self._sqlite is None:
                self._sqlite = sqlite3.connect(self._sqlite_path, check_same_thread=False,
                                               isolation_level=None)
            return self._sqlite.execute("PRAGMA data_version").fetchone()[0]


def _shows_on_pages(write):
    """Whether a committed write may change a public page (raw SQL and unknown tables count)."""
    return write.table not in PRIVATE_TABLES


_caches = weakref.WeakSet()  # every app's cache in this process (tests build several apps)


def _bump_after_commit():
    # The app whose request or command committed; other processes learn it through the shared part.
    cache = current_app.extensions.get("page_cache") if has_app_context() else None
    for each in [cache] if cache is not None else list(_caches):
        each.version.bump()


class PageCache:
    def __init__(self, app, engine):
        self.app = app
        self.store = PageStore(app.config["PAGE_CACHE_MAX_BYTES"])
        self.version = DataVersion(engine, app.config.get("REDIS_URL"))
        self.seconds = app.config["PAGE_CACHE_SECONDS"]
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")

    def forget_everything(self):
        """Drop every page (tests undo commits by rolling back an outer transaction)."""
        self.version.bump()
        self.store.clear()

    # ---- the request ---------------------------------------------------------------------------

    def _is_visitor(self):
        if self.remember_cookie in request.cookies:
            return False
        # Flask-Login marks an anonymous session that holds anything "not fresh" (`_fresh`: False).
        return set(session.keys()) <= SHARED_SESSION_KEYS and not session.get("_fresh")

    def look_up(self):
        """First before_request: a stored page for this visitor, or None (and maybe a key to store under)."""
        g.page_cache_key = None
        if request.method not in ("GET", "HEAD"):
            return None
        view = self.app.view_functions.get(request.endpoint)
        if not getattr(view, "public_page", False) or not self._is_visitor():
            return None
        version = self.version.read()
        if version is None:
            return None
        language = chosen_language(session.get("lang"), request.accept_languages)
        key = (request.scheme, request.host, request.full_path, language, version, int(time.time() // self.seconds))
        g.page_cache_key = key
        entry = self.store.get(key)
        if entry is None:
            return None
        body, mimetype, etag = entry
        g.page_cache_hit = True
        _say_shareable()
        # Nobody is signed in (checked above): spare Flask-Login loading that again after the view.
        g._login_user = self.app.login_manager.anonymous_user()
        response = self.app.response_class(body, mimetype=mimetype, headers={
            "ETag": f'"{etag}"', "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Language, Cookie"})
        if "If-None-Match" in request.headers:
            return response.make_conditional(request)
        return response

    def _storable(self, response):
        return (response.status_code == 200 and response.mimetype == "text/html"
                and not response.is_streamed and "Cache-Control" not in response.headers
                and not session.modified and not g.get("page_cache_personal")
                and not g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
                and "Set-Cookie" not in response.headers)

    def store_or_mark(self, response):
        """After the view: store a page every visitor may share, and say so in its headers."""
        key = g.pop("page_cache_key", None)
        if key is None or g.pop("page_cache_hit", False):
            return response
        if not self._storable(response):
            return response
        body = response.get_data()
        etag = hashlib.blake2b(body, digest_size=16).hexdigest()
        self.store.put(key, (body, response.mimetype, etag))
        _say_shareable()
        self._set_headers(response, etag)
        return response.make_conditional(request)

    @staticmethod
    def _set_headers(response, etag):
        response.set_etag(etag)
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.vary.update(("Accept-Language", "Cookie"))


def _say_shareable():
    """Tell the front door this answer is a page every visitor shares."""
    told = request.environ.get(SHAREABLE)
    if told is not None:
        told.append(True)


class FrontDoor:
    """WSGI middleware before Flask: a visitor with no cookie at all (so no session, no flash, no
    remember-me, no chosen language) asking with GET or HEAD, without If-None-Match, for an address
    whose page the app shared with such a visitor before, under the same host, Accept-Language's
    language, data version and minute, gets the very answer the app gave then (status, headers,
    security headers included, and body) without Flask being entered. Everything else goes on to
    the app, whose look-up above serves visitors with a session cookie.

    The key is made of the request as it arrived (the trusted proxies already applied), so a page
    is only ever replayed to a request the app answered the same way: the app checked the host,
    the address and the query before it shared that page.
    """

    def __init__(self, cache, wsgi_app, passing=("/static/", "/socket.io/")):
        self.cache = cache
        self.wsgi_app = wsgi_app
        self.passing = passing  # never pages: not worth reading the data version for
        self._languages = {}

    def _language(self, header):
        language = self._languages.get(header)
        if language is None:
            if len(self._languages) > 512:
                self._languages.clear()
            language = self._languages[header] = chosen_language(
                None, parse_accept_header(header, LanguageAccept))
        return language

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if (method not in ("GET", "HEAD") or "HTTP_COOKIE" in environ or "HTTP_IF_NONE_MATCH" in environ
                or "HTTP_IF_MODIFIED_SINCE" in environ or environ.get("PATH_INFO", "").startswith(self.passing)):
            return self.wsgi_app(environ, start_response)
        version = self.cache.version.read()
        if version is None:
            return self.wsgi_app(environ, start_response)
        key = ("front", environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""),
               environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
               self._language(environ.get("HTTP_ACCEPT_LANGUAGE", "")), version,
               int(time.time() // self.cache.seconds))
        entry = self.cache.store.get(key)
        if entry is not None:
            body, status, headers = entry
            start_response(status, list(headers))
            return [] if method == "HEAD" else [body]
        if method != "GET":
            return self.wsgi_app(environ, start_response)
        answer = {}
        environ[SHAREABLE] = shareable = []  # a list: middlewares below may copy the environ

        def keep_status(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, keep_status)
        if not shareable or not answer.get("status", "").startswith("200") or any(
                name.lower() == "set-cookie" for name, _value in answer.get("headers", ())):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        self.cache.store.put(key, (body, answer["status"], tuple(answer["headers"])), rendered=False)
        return [body]


def register_page_cache(app):
    """Watch commits, put the look-up first among the app's before_request functions (call it
    once every other before_request is registered) and the front door around the app (before the
    trusted proxies are: call it before core.network's register_network)."""
    from civiclab.extensions import db

    app.config.setdefault("PAGE_CACHE_ENABLED", True)
    app.config.setdefault("PAGE_CACHE_MAX_BYTES", 64 * 1024 * 1024)
    app.config.setdefault("PAGE_CACHE_SECONDS", 60)
    if not app.config["PAGE_CACHE_ENABLED"]:
        return None
    with app.app_context():
        engine = db.engine
    cache = PageCache(app, engine)
    app.extensions["page_cache"] = cache
    _caches.add(cache)
    changes.watch(_shows_on_pages, _bump_after_commit)
    app.before_request_funcs.setdefault(None, []).insert(0, cache.look_up)
    app.after_request(cache.store_or_mark)
    app.wsgi_app = FrontDoor(cache, app.wsgi_app, passing=(app.static_url_path + "/", "/socket.io/"))
    return cache
