"""Database helpers: the engine set-up the app needs on SQLite (the embedded default), and
LIKE patterns and word matching for searches."""
import functools
import re

import sqlalchemy as sa

LIKE_ESCAPE = "\\"


def like_pattern(text):
    """`text` anywhere, with LIKE's own characters (% and _) meaning themselves; use it with
    `.like(pattern, escape=LIKE_ESCAPE)` or `.ilike(...)`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# SQLite has no word-aware text search outside FTS tables: this function, registered on every
# connection, says whether each of the space-separated `words` starts a word of `text`
# (case-insensitively: "orto" finds "Orto" and "orti", never "supporto").
SQLITE_WORDS_START = "civiclab_words_start"


@functools.lru_cache(maxsize=256)
def _word_starts(words):
    return [re.compile(r"(?<!\w)" + re.escape(word), re.IGNORECASE) for word in words.split()]


def words_start(text, words):
    if text is None or not words:
        return 0
    return int(all(pattern.search(text) for pattern in _word_starts(words)))


def configure_sqlite(engine):
    """Foreign keys on, WAL, a busy timeout, and transactions SQLAlchemy fully controls.

    pysqlite starts transactions lazily and breaks SAVEPOINT; taking BEGIN over ourselves is
    the documented fix, and lets tests roll back everything a request committed.
    """
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function(SQLITE_WORDS_START, 2, words_start, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _request_writes() else "BEGIN")


def _request_writes():
    """Whether this transaction belongs to a request that may write (not GET/HEAD/OPTIONS).

    SQLite allows one writer. A transaction that read first and writes later fails at once
    ("database is locked") when another writer committed in between; taking the write lock at
    BEGIN makes concurrent writing requests queue behind busy_timeout instead, and makes
    read-then-write rules (seats left, then book) hold under concurrency.
    """
    from flask import has_request_context, request

    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def include_in_autogenerate(object, name, type_, reflected, compare_to):
    """Alembic's include_object: the full-text search structures made by hand in migrations 0003
    and 0014 (SQLite's proposals_fts tables; PostgreSQL's stored search_vector column of
    proposals and its index) are not in the models."""
    return not (name and (name.startswith("proposals_fts") or name in HAND_MADE_SEARCH))


HAND_MADE_SEARCH = {"ix_proposals_fulltext", "search_vector", "ix_proposals_search_vector"}
