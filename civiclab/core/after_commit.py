"""Work that waits for the current transaction to commit: mails, socket pushes, disconnects.

A change that may still be undone must not be announced: each queue keeps its items in the
session (Session.info, under its own key), hands them to `on_commit` once the transaction has
committed, and forgets them when it rolls back (a savepoint rolling back is not the transaction:
its queue waits for the outer one). Queues run in the order they were connected.
"""
import sqlalchemy as sa

from civiclab.extensions import db


class CommitQueue:
    def __init__(self, key, on_commit):
        self.key, self.on_commit = key, on_commit
        self._connected = False

    def add(self, item, session=None):
        """Queue `item` for `on_commit` after the current transaction of `session` (db.session) commits."""
        (db.session if session is None else session).info.setdefault(self.key, []).append(item)

    def connect(self):
        """Listen to every session's commits and rollbacks (once, however often it is called)."""
        if self._connected:
            return
        sa.event.listen(sa.orm.Session, "after_commit", self._run)
        sa.event.listen(sa.orm.Session, "after_soft_rollback", self._drop)
        self._connected = True

    def _run(self, session):
        items = session.info.pop(self.key, None)
        if items:
            self.on_commit(items)

    def _drop(self, session, previous_transaction):
        if not previous_transaction.nested:
            session.info.pop(self.key, None)
