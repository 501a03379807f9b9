"""The move to PostgreSQL, end to end: the demo data and uploaded files on a SQLite file → archive A
(the real `flask --app wsgi backup create`, in a process of its own) → a new PostgreSQL database →
archive B → a new SQLite file. Every table's rows and every file are the same at every step, the
full-text search of each database knows the restored proposals, and PostgreSQL's sequences go on
past the restored ids."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import temporary_postgres_database
from tests.fixtures.factories import factories_on
from tests.unit.backups.tools import (
    app_on,
    archive_rows,
    database_rows,
    dispose,
    folder_files,
    run_cli,
)

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 64
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(4096)


def flask_cli(database_url, uploads, *args):
    """`flask --app wsgi backup <args>` in a new process, as an operator types it."""
    environment = {**os.environ, "DATABASE_URL": database_url, "UPLOAD_FOLDER": str(uploads),
                   "CIVICLAB_ENV": "development", "PYTHONPATH": str(ROOT)}
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run([str(flask), "--app", "wsgi", "backup", *map(str, args)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)


def seed_world(app, uploads):
    """The demo data, plus attachments of a proposal and of an outcome with their files, and a reply
    stored before the comment it answers."""
    from civiclab.comments.models import Comment
    from civiclab.demo import seed_demo
    from civiclab.extensions import db
    from civiclab.outcomes.models import Outcome, OutcomeAttachment
    from civiclab.proposals.models import Attachment, Proposal

    with app.app_context():
        seed_demo()
        db.session.commit()
        proposal = db.session.scalars(sa.select(Proposal).order_by(Proposal.id)).first()
        outcome = db.session.scalars(sa.select(Outcome).order_by(Outcome.id)).first()
        db.session.add(Attachment(proposal_id=proposal.id, filename="Planimetria «orto».pdf",
                                  stored_name="planimetria.pdf", content_type="application/pdf", size=len(PDF)))
        db.session.add(OutcomeAttachment(outcome_id=outcome.id, filename="Foto del cantiere 🌱.png",
                                         stored_name="cantiere.png", content_type="image/png", size=len(PNG)))
        # A reply whose id is smaller than its parent's: PostgreSQL must take it before its parent.
        reply = Comment(proposal_id=proposal.id, author_id=proposal.author_id, body="Risposta", depth=1)
        db.session.add(reply)
        db.session.flush()
        parent = Comment(proposal_id=proposal.id, author_id=proposal.author_id, body="Primo")
        db.session.add(parent)
        db.session.flush()
        reply.parent_id = reply.root_id = parent.id
        db.session.commit()
        db.session.remove()
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "planimetria.pdf").write_bytes(PDF)
    (uploads / "cantiere.png").write_bytes(PNG)


def full_text_finds(app, word):
    """How many proposals the database's own full-text index finds for `word`."""
    from civiclab.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = "SELECT count(*) FROM proposals WHERE search_vector @@ plainto_tsquery('italian', :word)"
        else:
            query = "SELECT count(*) FROM proposals_fts WHERE proposals_fts MATCH :word"
        return connection.execute(sa.text(query), {"word": word}).scalar()


def unsearchable_proposals(app):
    from civiclab.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM proposals WHERE search_vector IS NULL")).scalar()


def test_sqlite_to_postgresql_and_back_keeps_every_row_and_file(postgres_admin_url, tmp_path):
    first = app_on(f"sqlite:///{tmp_path / 'first.db'}", tmp_path / "uploads-first")
    try:
        seed_world(first, tmp_path / "uploads-first")
        rows_first = database_rows(first)
        files_first = folder_files(tmp_path / "uploads-first")
        title = rows_first["proposals"][0]["title"]
        word = max(("".join(c for c in part if c.isalpha()) for part in title.split()), key=len)  # no stop word
        finds = full_text_finds(first, word)
    finally:
        dispose(first)
    assert sum(len(rows) for rows in rows_first.values()) > 200 and len(files_first) == 2
    assert finds >= 1

    archive_a = tmp_path / "a.tar.gz"
    done = flask_cli(f"sqlite:///{tmp_path / 'first.db'}", tmp_path / "uploads-first", "create", archive_a)
    assert done.returncode == 0, done.stderr
    assert "Backup written to" in done.stdout
    assert archive_rows(archive_a) == (rows_first, files_first)

    with temporary_postgres_database() as postgres_url:
        on_postgres = app_on(postgres_url, tmp_path / "uploads-postgres", migrate=False)
        try:
            code, output = run_cli(on_postgres, "restore", archive_a)
            assert code == 0, output
            assert database_rows(on_postgres) == rows_first
            assert folder_files(tmp_path / "uploads-postgres") == files_first
            # The generated search column was computed for every restored proposal (PostgreSQL stems
            # words differently from SQLite's FTS: the counts of the two are not compared).
            assert full_text_finds(on_postgres, word) >= 1
            assert unsearchable_proposals(on_postgres) == 0

            archive_b = tmp_path / "b.tar.gz"
            done = flask_cli(postgres_url, tmp_path / "uploads-postgres", "create", archive_b)
            assert done.returncode == 0, done.stderr
            assert archive_rows(archive_b) == (rows_first, files_first)

            assert_sequences_go_on(on_postgres)

            # A second restore into the same (now full) database is refused.
            code, output = run_cli(on_postgres, "restore", archive_a)
            assert code == 1 and "not empty" in output
        finally:
            dispose(on_postgres)

    done = flask_cli(f"sqlite:///{tmp_path / 'last.db'}", tmp_path / "uploads-last", "restore", archive_b)
    assert done.returncode == 0, done.stderr + done.stdout
    last = app_on(f"sqlite:///{tmp_path / 'last.db'}", tmp_path / "uploads-last", migrate=False)
    try:
        assert database_rows(last) == rows_first
        assert folder_files(tmp_path / "uploads-last") == files_first
        assert full_text_finds(last, word) == finds  # SQLite's FTS tables filled by their triggers
    finally:
        dispose(last)


def assert_sequences_go_on(app):
    """New rows of every kind the demo has many of get new ids, with no duplicate key."""
    from civiclab.comments.models import Comment
    from civiclab.extensions import db
    from civiclab.proposals.models import Proposal

    with app.app_context():
        make = factories_on(db.session)
        user = make.make_user(display_name="Dopo il ripristino")
        city = make.make_city(name="Città nuova")
        proposal_id = db.session.scalar(sa.select(sa.func.min(Proposal.id)))
        comment = Comment(proposal_id=proposal_id, author_id=user.id, body="Di nuovo qui", body_html="<p>x</p>")
        db.session.add(comment)
        db.session.commit()
        assert user.id > 1 and city.id > 1
        assert comment.id == db.session.scalar(sa.select(sa.func.max(Comment.id)))
        db.session.remove()
