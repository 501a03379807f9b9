"""What a committed transaction wrote, told to whoever keeps answers read from the database.

The page cache (core/page_cache.py) and the rooms' per-connection facts (rooms/facts.py) keep
answers until something they were read from changes. Neither asks services to say what they
changed (a service that forgot would leave a stale page or a stale permission): every session's
flushes and statements are watched here, and each watcher is told, once the transaction has
committed, whether it wrote anything that watcher cares about. A rollback tells nobody (a savepoint
rolling back is not the transaction: its writes wait for the outer one, which may over-report —
too often is only slower, never wrong).

A write is (table, kind, columns):
- an ORM flush: "insert", "delete", or "update" with the changed columns' attribute names;
- an ORM bulk statement (`session.execute(sa.update(Model)...)`): its table, columns unknown (None);
- raw SQL through the session (`session.execute(sa.text("UPDATE ..."))`): table None, kind "sql".
A watcher that cannot place a write (an unknown table, raw SQL) should count it.
"""
import re
from typing import NamedTuple

import sqlalchemy as sa

from civiclab.core.after_commit import CommitQueue

_DML = re.compile(r"\s*(insert|update|delete|replace|merge|with)\b", re.IGNORECASE)


class Write(NamedTuple):
    table: str | None
    kind: str  # "insert", "update", "delete" or "sql"
    columns: frozenset | None = None  # an ORM update's changed attributes; None: not known


class Watcher(NamedTuple):
    matters: object  # fn(Write) -> bool
    on_commit: object  # fn() -> None, called at most once per committed transaction


_watchers = []


def watch(matters, on_commit):
    """Call `on_commit()` after every committed transaction with a write `matters(write)` accepts."""
    watcher = Watcher(matters, on_commit)
    if watcher not in _watchers:
        _watchers.append(watcher)
    _connect()
    return watcher


def _told(writes):
    writes = set(writes)
    for watcher in _watchers:
        if any(watcher.matters(write) for write in writes):
            watcher.on_commit()


_writes = CommitQueue("civiclab_writes", _told)


def _table(instance):
    table = getattr(type(instance), "__table__", None)
    return getattr(table, "name", None)


def _changed(instance):
    state = sa.inspect(instance)
    return frozenset(attr.key for attr in state.attrs if attr.history.has_changes())


def _after_flush(session, _flush_context):
    found = {Write(_table(obj), "insert") for obj in session.new}
    found |= {Write(_table(obj), "delete") for obj in session.deleted}
    found |= {Write(_table(obj), "update", _changed(obj)) for obj in session.dirty
              if session.is_modified(obj)}
    for write in found:
        _writes.add(write, session)


def _on_statement(state):
    if state.is_insert or state.is_update or state.is_delete:
        kind = "insert" if state.is_insert else "update" if state.is_update else "delete"
        _writes.add(Write(getattr(getattr(state.statement, "table", None), "name", None), kind), state.session)
    elif isinstance(state.statement, sa.TextClause) and _DML.match(state.statement.text):
        _writes.add(Write(None, "sql"), state.session)


_connected = False


def _connect():
    global _connected
    if _connected:
        return
    sa.event.listen(sa.orm.Session, "after_flush", _after_flush)
    sa.event.listen(sa.orm.Session, "do_orm_execute", _on_statement)
    _writes.connect()
    _connected = True
