"""The audit log: one row per staff, facilitator or administrator action, never changed or removed.

Append-only is held by the database itself (triggers refusing UPDATE, DELETE and, on PostgreSQL,
TRUNCATE), not only by the absence of an edit page: the trigger DDL is written once here and run
by the migration and by `metadata.create_all` alike.

The actor's name is not copied into the row: the page shows the account's current display name,
so a deleted (anonymised) account's name disappears from the log too ("Account eliminato"), while
the id keeps the acts of one account together.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

TABLE = "audit_entries"
APPEND_ONLY_MESSAGE = "audit_entries is append-only"

# An id that outlasts 2^31 actions on PostgreSQL; SQLite's INTEGER PRIMARY KEY is 64-bit already
# (and only "INTEGER" makes it the rowid, so the variant keeps it).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class AuditEntry(db.Model):
    """Who (actor) did what (action) to which object (subject type and id), in which city, when and why."""

    __tablename__ = TABLE
    __table_args__ = (sa.Index("ix_audit_entries_city_at", "city_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No ondelete: accounts are anonymised, never deleted, and SET NULL or CASCADE would change
    # or remove audit rows (which the triggers refuse). None: the system (a CLI command, a job).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)  # "<domain>.<verb>"
    subject_type: Mapped[str | None] = mapped_column(sa.String(60))
    subject_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    # A plain number, no foreign key: the entry outlives any change to the city's row.
    city_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", foreign_keys=[actor_id], lazy="raise")

    def __repr__(self):
        return f"<AuditEntry {self.id} {self.action}>"


def append_only_statements(dialect_name):
    """The DDL that makes the table append-only on `dialect_name` ("sqlite" or "postgresql")."""
    if dialect_name == "sqlite":
        return [
            f"CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            for event in ("UPDATE", "DELETE")
        ]
    if dialect_name == "postgresql":
        return [
            (f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
             f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END; $$"),
            (f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
             f"FOR EACH ROW EXECUTE PROCEDURE {TABLE}_append_only()"),
            (f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
             f"FOR EACH STATEMENT EXECUTE PROCEDURE {TABLE}_append_only()"),
        ]
    raise RuntimeError(f"no append-only triggers written for {dialect_name}")


def drop_append_only_statements(dialect_name):
    if dialect_name == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]
    return [f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
            f"DROP FUNCTION IF EXISTS {TABLE}_append_only()"]


def make_append_only(connection):
    """Install the triggers on `connection`'s database (the migration and create_all call it)."""
    for statement in append_only_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


@sa.event.listens_for(AuditEntry.__table__, "after_create")
def _append_only_after_create(target, connection, **kw):
    make_append_only(connection)
