"""The audit log stores what `audit()` announces, in the action's own transaction, and the
database refuses to change or remove an entry (SQLite here; PostgreSQL in the PG pass)."""
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from civiclab.audit.models import AuditEntry
from civiclab.core.audit import audit
from civiclab.extensions import db


def entries():
    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


def test_an_audited_action_is_stored_with_every_field(db_session, make_user, make_project):
    staff = make_user(display_name="Sara Staff")
    project = make_project()

    audit(staff, "project.amounts_edited", project, city_id=project.city_id, reason="Delibera 12/2026",
          programmato=("1.000,00 €", "2.000,00 €"), cents=Decimal("1.50"), note="a\0b")
    db_session.commit()

    [entry] = entries()
    assert entry.actor_id == staff.id
    assert entry.action == "project.amounts_edited"
    assert (entry.subject_type, entry.subject_id) == ("projects", project.id)
    assert entry.city_id == project.city_id
    assert entry.reason == "Delibera 12/2026"
    assert entry.details == {"programmato": ["1.000,00 €", "2.000,00 €"], "cents": "1.50", "note": "ab"}
    assert entry.at is not None and entry.at.tzinfo is not None


def test_the_system_acts_without_an_actor(db_session):
    audit(None, "backup.created", subject_type="backup", subject_id=None, path="/srv/civiclab.tar")
    db_session.commit()

    [entry] = entries()
    assert entry.actor_id is None
    assert entry.subject_type == "backup"
    assert entry.details == {"path": "/srv/civiclab.tar"}


def test_a_rolled_back_action_leaves_no_entry(db_session, make_user):
    staff = make_user()
    savepoint = db_session.begin_nested()
    audit(staff, "project.published", subject_type="projects", subject_id=1)
    db_session.flush()
    savepoint.rollback()
    db_session.commit()

    assert entries() == []


@pytest.fixture
def stored(db_session, make_user):
    audit(make_user(), "user.blocked", subject_type="users", subject_id=7, reason="Insulti")
    db_session.commit()
    return entries()[0]


def test_the_database_refuses_to_update_an_entry(db_session, stored):
    with pytest.raises(DatabaseError, match="append-only"), db_session.begin_nested():
        db_session.execute(sa.text("UPDATE audit_entries SET reason = 'nessuno' WHERE id = :id"), {"id": stored.id})
    db_session.expire_all()
    assert entries()[0].reason == "Insulti"


def test_the_database_refuses_to_delete_an_entry(db_session, stored):
    with pytest.raises(DatabaseError, match="append-only"), db_session.begin_nested():
        db_session.execute(sa.text("DELETE FROM audit_entries"))
    assert len(entries()) == 1


def test_the_orm_cannot_change_an_entry_either(db_session, stored):
    with pytest.raises(DatabaseError, match="append-only"), db_session.begin_nested():
        stored.reason = "riscritto"
        db_session.flush()


def test_the_database_refuses_to_truncate_the_log_on_postgresql(db_session, stored):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has none")
    with pytest.raises(DatabaseError, match="append-only"), db_session.begin_nested():
        db_session.execute(sa.text("TRUNCATE audit_entries"))


def test_tables_made_with_create_all_are_append_only_too(tmp_path):
    """A database built from the models (not the migrations) gets the same triggers."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    metadata = sa.MetaData()
    users = sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
    AuditEntry.__table__.to_metadata(metadata)
    metadata.create_all(engine, tables=[users, AuditEntry.__table__])
    with engine.begin() as connection:
        connection.execute(AuditEntry.__table__.insert().values(action="x", reason="", details={}))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_entries"))
    engine.dispose()
