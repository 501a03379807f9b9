"""Fixtures: an app on a database built by the migrations, a session that rolls back, factories.

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

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestingConfig

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEMO_PASSWORD = "Una-password-robusta-42"


def pytest_addoption(parser):
    parser.addoption(
        "--clock", default=os.environ.get("CIVICLAB_TEST_CLOCK"),
        help="start the clock at this ISO time (e.g. 2028-02-29T23:58+01:00) and let it tick: the "
             "suite must pass at any hour, weekday and date (scripts/test-clocks runs a few)",
    )


def pytest_configure(config):
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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if os.environ.get("CIVICLAB_TEST_DB") == "postgres":
        with temporary_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'civiclab.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url):
    return make_app(database_url)


@pytest.fixture
def db_session(app):
    """Every test in one outer transaction; commits inside it become savepoints, rolled back."""
    from civiclab.extensions import db

    with app.app_context():
        engine = db.engine
        connection = engine.connect()
        transaction = connection.begin()
        original = db.session
        # Flask-SQLAlchemy's Session.get_bind picks the app's engine for every mapped class and
        # ignores `bind`; put the connection in its place so the session really joins it.
        db.engines[None] = connection
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            db.engines[None] = engine
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def outbox(app):
    from civiclab.extensions import mail

    with mail.record_messages() as messages:
        yield messages


@pytest.fixture
def count_queries(app):
    """`with count_queries() as queries:` collects the SQL statements run inside the block."""
    from civiclab.extensions import db

    @contextmanager
    def counter():
        statements = []

        def record(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counter


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
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def text_of(response):
    """The page as text: tags dropped, entities decoded, spaces (non-breaking too) collapsed."""
    body = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return " ".join(body.replace("\xa0", " ").replace("\u202f", " ").split())


# ---- rate limits (a separate app with the limiter on) ---------------------------------------

@pytest.fixture(scope="session")
def limited_app(database_url):
    from civiclab.extensions import limiter

    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute",
                   RATELIMIT_REGISTER="2 per minute", RATELIMIT_WRITE="2 per minute",
                   RATELIMIT_COMMENT="2 per minute")
    limiter.enabled = False  # one limiter serves every app: it is on only inside these tests
    return app


@pytest.fixture
def limited_client(limited_app, app, db_session):
    """A client of the limited app, sharing the test's rolled-back connection."""
    from civiclab.extensions import db, limiter

    with app.app_context():
        connection = db.engines[None]
    with limited_app.app_context():
        engine, db.engines[None] = db.engines[None], connection
    limiter.enabled = True
    limiter.reset()
    try:
        yield limited_app.test_client()
    finally:
        limiter.reset()
        limiter.enabled = False
        with limited_app.app_context():
            db.engines[None] = engine


# ---- factories ---------------------------------------------------------------------------
# Factories commit (inside the test's outer transaction that is only a savepoint release), as
# data made before a request would be: a request answered 4xx rolls back only its own work.

@functools.lru_cache
def password_hash(password):
    """Hashing is slow on purpose; factories hash each test password once per run."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password)


@pytest.fixture
def make_user(db_session):
    from civiclab.accounts.models import ParticipantType, User
    from civiclab.core.time import utcnow

    counter = iter(range(1, 10_000))

    def factory(email=None, display_name=None, participant_type=ParticipantType.CITTADINO,
                confirmed=True, is_admin=False, password=DEMO_PASSWORD, locale="it"):
        n = next(counter)
        user = User(
            email=email or f"user{n}-{uuid.uuid4().hex[:6]}@example.org",
            display_name=display_name or f"Utente {n}",
            participant_type=participant_type,
            is_admin=is_admin,
            locale=locale,
            privacy_consent_at=utcnow(),
            email_confirmed_at=utcnow() if confirmed else None,
        )
        user.password_hash = password_hash(password)
        db_session.add(user)
        db_session.commit()
        return user

    return factory


@pytest.fixture
def make_city(db_session):
    from civiclab.places.models import City

    def factory(name=None, region="Emilia-Romagna", **fields):
        name = name or f"Città {uuid.uuid4().hex[:6]}"
        city = City(name=name, slug=fields.pop("slug", name.lower().replace(" ", "-")),
                    region=region, **fields)
        db_session.add(city)
        db_session.commit()
        return city

    return factory


@pytest.fixture
def make_lab(db_session, make_city):
    from civiclab.places.models import Lab

    def factory(city=None, name=None, **fields):
        city = city or make_city()
        name = name or f"Laboratorio {uuid.uuid4().hex[:6]}"
        lab = Lab(city=city, name=name, slug=fields.pop("slug", name.lower().replace(" ", "-")), **fields)
        db_session.add(lab)
        db_session.commit()
        return lab

    return factory


@pytest.fixture
def make_staff(db_session, make_user):
    """A municipality staff member of `city`."""
    from civiclab.places.models import CityStaff

    def factory(city, **user_fields):
        user = make_user(**user_fields)
        db_session.add(CityStaff(user=user, city=city))
        db_session.commit()
        db_session.refresh(user)
        return user

    return factory


@pytest.fixture
def make_facilitator(db_session, make_user):
    from civiclab.places.models import LabFacilitator

    def factory(lab, **user_fields):
        user = make_user(**user_fields)
        db_session.add(LabFacilitator(user=user, lab=lab))
        db_session.commit()
        db_session.refresh(user)
        return user

    return factory


@pytest.fixture
def make_project(db_session, make_city):
    from civiclab.programmes.models import Action, Axis, Programme, Project

    def factory(city=None, code=None, **fields):
        city = city or make_city()
        programme = db_session.scalar(sa.select(Programme).filter_by(code="TEST-PROG"))
        if programme is None:
            programme = Programme(code="TEST-PROG", slug="test-prog", name="Programma di prova",
                                  period="2014-2020")
            axis = Axis(programme=programme, number=3, name="Servizi per l'inclusione sociale")
            db_session.add(Action(axis=axis, code="3.3.1", name="Sostegno all'innovazione sociale"))
            db_session.commit()
        action = programme.axes[0].actions[0]
        values = dict(
            title="Accelerazione civica", cup=None, rup="Miriam Pepe",
            implementing_body="Comune di Bologna", programmato_cents=41224884,
            ammesso_cents=41224884, vincolante_cents=41224884, erogato_cents=41224883,
        )
        values.update(fields)
        project = Project(city=city, action=action, code=code or f"T{uuid.uuid4().hex[:8]}", **values)
        db_session.add(project)
        db_session.commit()
        return project

    return factory


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


@pytest.fixture
def make_event(db_session, make_lab):
    """A published event of `lab` at 10:00 a week from today, registration open, 30 seats."""
    from datetime import timedelta

    from civiclab.core.time import utcnow
    from civiclab.events.models import Event, EventState

    def factory(lab=None, audience=(), **fields):
        starts = fields.pop("starts_at", rome_time(days=7, hour=10))
        values = dict(
            title=f"Evento {uuid.uuid4().hex[:6]}", description="Un incontro del laboratorio.",
            starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=30,
            state=EventState.PUBLISHED, published_at=utcnow() - timedelta(days=1),
        )
        values.update(fields)
        event = Event(lab=lab or make_lab(), **values)
        event.audience = audience
        db_session.add(event)
        db_session.commit()
        return event

    return factory


@pytest.fixture
def make_call(db_session, make_project):
    """A published call on a project (and lab, if given), in its `phase` now ("proposals" by
    default; "upcoming", "review", "supports", "closed"), with the themes Verde and Mobilità."""
    from datetime import timedelta

    from civiclab.core.time import utcnow
    from civiclab.proposals.models import Call, CallTheme

    day = timedelta(days=1)
    # Start of each phase relative to now, so that `phase` is the current one.
    starts = {
        "upcoming": (1, 2, 3, 4), "proposals": (-1, 10, 20, 30), "review": (-10, -1, 20, 30),
        "supports": (-20, -10, -1, 30), "closed": (-30, -20, -10, -1),
    }

    def factory(project=None, lab=None, phase="proposals", published=True, **fields):
        project = project if project is not None or lab is not None else make_project()
        city_id = (project or lab).city_id
        offsets = [utcnow() + n * day for n in starts[phase]]
        values = dict(title=f"Call {uuid.uuid4().hex[:6]}", description="Proponi le tue idee.",
                      description_html="<p>Proponi le tue idee.</p>",
                      proposals_from=offsets[0], review_from=offsets[1], supports_from=offsets[2],
                      closes_at=offsets[3], published=published)
        values.update(fields)
        call = Call(city_id=city_id, project=project, lab=lab, **values)
        call.themes = [CallTheme(name="Verde", position=0), CallTheme(name="Mobilità", position=1)]
        db_session.add(call)
        db_session.commit()
        return call

    return factory


@pytest.fixture
def make_proposal(db_session, make_call, make_user):
    """A proposal in `state` (accepted by default) under `call`, by `author`."""
    from civiclab.core.sanitize import render_markdown
    from civiclab.core.time import utcnow
    from civiclab.proposals.models import Proposal, ProposalState

    def factory(call=None, author=None, state=ProposalState.ACCEPTED, **fields):
        body = fields.pop("body", "Piantiamo alberi nel **cortile** della scuola.")
        values = dict(title=f"Proposta {uuid.uuid4().hex[:6]}", body=body, body_html=render_markdown(body),
                      state=state)
        if state is not ProposalState.DRAFT:
            values["submitted_at"] = utcnow()
        if state in (ProposalState.ACCEPTED, ProposalState.ADOPTED):
            values["published_at"] = utcnow()
        values.update(fields)
        proposal = Proposal(call=call or make_call(), author=author or make_user(), **values)
        db_session.add(proposal)
        db_session.commit()
        return proposal

    return factory
