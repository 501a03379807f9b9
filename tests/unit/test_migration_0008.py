"""Migration 0008 on a database that already holds data: nothing that worked stops working."""
import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from civiclab.core.time import UTCDateTime, utcnow
from tests.conftest import make_app, temporary_postgres_database


@contextmanager
def fresh_database_url(tmp_path):
    if os.environ.get("CIVICLAB_TEST_DB") == "postgres":
        with temporary_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'before-0008.sqlite3'}"


def table(name, *columns, times=()):
    return sa.table(name, *(sa.column(c) for c in columns), *(sa.column(c, UTCDateTime) for c in times))


@pytest.fixture
def upgraded_from_0004(tmp_path, monkeypatch):
    """A database at 0004 holding a city, an organisation and an event with an HTML description,
    then upgraded to the head; yields its connection."""
    from civiclab.extensions import db

    with fresh_database_url(tmp_path) as url:
        monkeypatch.setattr("tests.conftest.upgrade", lambda: upgrade(revision="0004_rooms"))
        app = make_app(url)
        now = utcnow()
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(table("cities", "id", "slug", "name", "region", "description", times=["created_at"])
                                   .insert().values(id=1, slug="bologna", name="Bologna", region="Emilia-Romagna",
                                                    description="", created_at=now))
                connection.execute(table("organisations", "id", "name", "name_key", "kind", "city_name",
                                         times=["created_at"]).insert().values(
                    id=1, name="IC 5", name_key="ic 5", kind="scuola", city_name="bologna", created_at=now))
                connection.execute(table("labs", "id", "city_id", "slug", "name", "venue", "theme", "address",
                                         "description", "ict_facilities", "accessibility", "opening_hours",
                                         times=["created_at", "updated_at"]).insert().values(
                    id=1, city_id=1, slug="lab", name="Lab", venue="", theme="", address="", description="",
                    ict_facilities="", accessibility="", opening_hours="", created_at=now, updated_at=now))
                connection.execute(table("events", "id", "lab_id", "title", "description", "is_online", "online_url",
                                         "capacity", "confirmed_seats", "max_seats_per_booking",
                                         "reminder_hours_before", "state", "seats_alert_level", "sequence",
                                         "cancel_reason", times=["starts_at", "ends_at", "created_at", "updated_at"])
                                   .insert().values(
                    id=1, lab_id=1, title="Mappe", is_online=False, online_url="", capacity=10, confirmed_seats=0,
                    max_seats_per_booking=1, reminder_hours_before=24, state="published", seats_alert_level=0,
                    sequence=0, cancel_reason="", starts_at=now + timedelta(days=7),
                    ends_at=now + timedelta(days=7, hours=2), created_at=now, updated_at=now,
                    description='<p>Porta una <strong>matita</strong> &amp; un <a href="https://example.org" '
                                'rel="nofollow">foglio</a>.</p><p>Seconda riga<br>a capo</p>'))
            upgrade()
            with db.engine.connect() as connection:
                yield connection
            db.engine.dispose()


def test_existing_organisations_are_verified_and_linked_to_their_city(upgraded_from_0004):
    row = upgraded_from_0004.execute(sa.text("SELECT verification, city_id FROM organisations")).one()
    assert tuple(row) == ("verified", 1)


def test_stored_html_descriptions_become_the_markdown_that_renders_like_them(upgraded_from_0004):
    description = upgraded_from_0004.execute(sa.text("SELECT description FROM events")).scalar_one()
    assert description == ("Porta una **matita** & un [foglio](https://example.org).\n\n"
                           "Seconda riga  \na capo")
