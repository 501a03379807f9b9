"""The suite's options and helpers; its fixtures are defined once, in tests/fixtures/.

By default the database is a fresh SQLite file. With CIVICLAB_TEST_DB=postgres the whole suite
runs on a PostgreSQL database created for this run on PG_ADMIN_URL and dropped afterwards.
"""
import functools
import html
import os
import re
import tempfile
import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestingConfig

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEMO_PASSWORD = "Una-password-robusta-42"

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.factories",
    "tests.fixtures.requests",
    "tests.fixtures.places",
    "tests.fixtures.accounts",
    "tests.fixtures.settings",
    "tests.fixtures.demo",
    "tests.fixtures.opendata",
    "tests.fixtures.outcomes",
    "tests.fixtures.outcomes_social",
    "tests.fixtures.api",
    "tests.fixtures.identities",
    "tests.fixtures.oidc_provider",
]


def pytest_addoption(parser):
    parser.addoption(
        "--clock", default=os.environ.get("CIVICLAB_TEST_CLOCK"),
        help="start the clock at this ISO time (e.g. 2028-02-29T23:58+01:00) and let it tick: the "
             "suite must pass at any hour, weekday and date (scripts/test-clocks runs a few)",
    )


# Passwords are hashed slowly on purpose (scrypt with N=2**15: about 0.2 s a hash, and as much to
# check one); the suite signs up, signs in and changes passwords a few hundred times. Its hashes
# are scrypt with N=2**8 instead: a hash carries its own parameters, so it is checked as cheaply,
# and the code under test runs as in production.
TEST_PASSWORD_HASH = "scrypt:256:8:1"


def cheap_password_hashes():
    """Make werkzeug's generate_password_hash (wherever it was imported) use TEST_PASSWORD_HASH."""
    from werkzeug.security import generate_password_hash

    generate_password_hash.__defaults__ = (TEST_PASSWORD_HASH, *generate_password_hash.__defaults__[1:])


def pytest_configure(config):
    cheap_password_hashes()
    # Before collection, so modules that read the time when imported see the chosen clock too.
    when = config.getoption("--clock")
    if when:
        from datetime import datetime

        import time_machine

        config._civiclab_clock = time_machine.travel(datetime.fromisoformat(when), tick=True)
        config._civiclab_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_civiclab_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    if config.getoption("--clock"):
        return f"clock: started at {config.getoption('--clock')}"


@contextmanager
def temporary_postgres_database():
    """A new, empty PostgreSQL database, dropped when the block ends."""
    name = f"civiclab_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `flask.g`.

    A request reuses the app context a test has pushed (db_session does), so `g` would outlive
    the request, and with it what Flask-Login and Flask-Babel cache there (the signed-in user,
    the locale): another client would then act as the previous request's user.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


def make_app(database_url, **overrides):
    """A testing app on `database_url` with the schema built by the migrations."""
    from civiclab import create_app

    # Attachments go to a throwaway folder, never to instance/uploads.
    uploads = tempfile.mkdtemp(prefix="civiclab-uploads-")
    config = type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                               "UPLOAD_FOLDER": uploads, **overrides})
    app = create_app(config)
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        upgrade()
    return app


@contextmanager
def temporary_postgres_app(**overrides):
    """A testing app on a new PostgreSQL database; its connections are closed before the drop."""
    from civiclab.extensions import db

    with temporary_postgres_database() as url:
        app = make_app(url, **overrides)
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def login(client, user):
    """Sign `user` in on `client` the way a sign-in does: a new session row, named by the cookie."""
    from civiclab.accounts.models import User
    from civiclab.accounts.sessions import open_session
    from civiclab.extensions import db

    # `user` may be detached (a socket handler removes the session): work on the loaded row.
    user = db.session.get(User, sa.inspect(user).identity[0])
    open_session(user, user_agent="pytest")
    token = user.get_id()
    session = db.session()
    # Committed, so that a request answered 4xx (rolled back) keeps it; nothing the test holds expires.
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    use_sign_in(client, token)


def use_sign_in(client, token):
    """Put a sign-in session in `client`'s cookie: `token` is its user's get_id() once opened."""
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def text_of(response):
    """The page as text: tags dropped, entities decoded, spaces (non-breaking too) collapsed."""
    body = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return " ".join(body.replace("\xa0", " ").replace("\u202f", " ").split())


# ---- helpers of the factories (tests/fixtures/factories.py) -------------------------------

@functools.lru_cache
def password_hash(password):
    """Factories hash each test password once per run."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password)


def rome_time(days=0, hour=10, minute=0):
    """`hour:minute` on the Rome day `days` from today, as an aware UTC datetime.

    Factories start things at a fixed time of day, so that no test's outcome depends on the hour,
    weekday or date the suite runs at (an event "a week from now" started at 23:50 on a late run,
    and a test moving it to 09:30 then ended it before it began).
    """
    from datetime import datetime, timedelta, timezone

    from civiclab.core.time import ROME, utcnow

    day = utcnow().astimezone(ROME).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME).astimezone(timezone.utc)
