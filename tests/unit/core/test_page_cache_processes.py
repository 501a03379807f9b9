"""The page cache sees changes committed by other processes: a CLI command, another server,
raw SQL (SQLite's PRAGMA data_version, PostgreSQL's current snapshot; Redis: tests/integration)."""
import os
import subprocess
import sys
from contextlib import contextmanager

import pytest

from tests.conftest import make_app, temporary_postgres_app

WRITE = """
import sys, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(sa.text(sys.argv[2]))
"""


def in_another_process(url, sql):
    subprocess.run([sys.executable, "-c", WRITE, url, sql], check=True, timeout=60)


@contextmanager
def own_database_app(tmp_path):
    """An app on a database of its own (no test transaction holds it: other processes may write)."""
    if os.environ.get("CIVICLAB_TEST_DB") == "postgres":
        with temporary_postgres_app() as app:
            yield app
    else:
        yield make_app(f"sqlite:///{tmp_path}/pages.sqlite3")


@pytest.fixture
def own_app(tmp_path):
    with own_database_app(tmp_path) as app:
        yield app


def test_a_change_committed_by_another_process_shows_on_the_next_visit(own_app):
    url = own_app.config["SQLALCHEMY_DATABASE_URI"]
    cache = own_app.extensions["page_cache"]
    client = own_app.test_client()
    in_another_process(url, "INSERT INTO cities (slug, name, region, description, created_at) VALUES ('borgo-remoto', 'Borgo Remoto', 'Lazio', '', CURRENT_TIMESTAMP)")
    assert "Borgo Remoto" in client.get("/citta").get_data(as_text=True)
    hits = cache.store.hits
    assert "Borgo Remoto" in client.get("/citta").get_data(as_text=True)
    if own_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert cache.store.hits == hits + 1  # (PostgreSQL: any write on the server moves the version)

    in_another_process(url, "UPDATE cities SET name = 'Borgo Cambiato' WHERE slug = 'borgo-remoto'")

    page = client.get("/citta").get_data(as_text=True)
    assert "Borgo Cambiato" in page and "Borgo Remoto" not in page
