"""On a real PostgreSQL: the migrations go up and down, and the database holds the invariants."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from civiclab.core.db import include_in_autogenerate
from civiclab.extensions import db
from tests.conftest import temporary_postgres_app

pytestmark = pytest.mark.postgres


def user_tables():
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def enum_types():
    return set(db.session.scalars(sa.text(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE t.typtype = 'e' AND n.nspname = 'public'")))


def test_migrations_build_the_models_schema_and_go_down_to_base_and_up_again(postgres_admin_url):
    with temporary_postgres_app() as app:  # upgraded to head
        with app.app_context():
            assert {"users", "organisations", "cities", "labs", "projects"} <= user_tables()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_in_autogenerate})
                assert compare_metadata(context, db.metadata) == []

            db.session.remove()
            downgrade(revision="base")
            assert user_tables() == set()
            assert enum_types() == set()

            upgrade()
            assert {"users", "projects"} <= user_tables()
            db.session.remove()


@pytest.fixture(scope="module")
def pg_app(postgres_admin_url):
    with temporary_postgres_app() as app:
        yield app


@pytest.fixture
def action_and_city(pg_app):
    """A city and an action to hang projects on; everything is rolled back after the test."""
    from civiclab.places.models import City
    from civiclab.programmes.models import Action, Axis, Programme

    with pg_app.app_context():
        programme = Programme(code="2014IT16M2OP004", slug="pon-metro", name="PON Metro",
                              period="2014-2020")
        axis = Axis(programme=programme, number=3, name="Servizi per l'inclusione sociale")
        action = Action(axis=axis, code="3.3.1", name="Sostegno all'innovazione sociale")
        city = City(name="Bologna", slug="bologna", region="Emilia-Romagna")
        db.session.add_all([action, city])
        db.session.flush()
        try:
            yield action, city
        finally:
            db.session.rollback()
            db.session.remove()


def new_project(action, city, code, cup=None, amounts=(400, 300, 200, 100)):
    from civiclab.programmes.models import Project

    programmato, ammesso, vincolante, erogato = amounts
    return Project(action=action, city=city, code=code, title="Accelerazione civica", cup=cup,
                   programmato_cents=programmato, ammesso_cents=ammesso,
                   vincolante_cents=vincolante, erogato_cents=erogato)


def insert(project):
    """Flush `project` inside a savepoint, so a refusal leaves the test's transaction usable."""
    with db.session.begin_nested():
        db.session.add(project)


def test_a_project_with_amounts_in_order_is_stored(action_and_city):
    insert(new_project(*action_and_city, code="BO3.3.1.b", cup="F39G16000350007",
                       amounts=(41224884, 41224884, 41224884, 41224883)))


@pytest.mark.parametrize("amounts, constraint", [
    ((100, 200, 50, 10), "ck_projects_programmato_ge_ammesso"),
    ((300, 100, 200, 10), "ck_projects_ammesso_ge_vincolante"),
    ((300, 200, 100, 150), "ck_projects_vincolante_ge_erogato"),
    ((300, 200, 100, -1), "ck_projects_erogato_not_negative"),
])
def test_the_database_refuses_project_amounts_out_of_order(action_and_city, amounts, constraint):
    with pytest.raises(sa.exc.IntegrityError, match=constraint):
        insert(new_project(*action_and_city, code="BO-X", amounts=amounts))


def test_a_cup_may_repeat_but_an_opencoesione_code_may_not(action_and_city):
    """One CUP can belong to several local projects (the same works under two programmes); the
    local project code (COD_LOCALE_PROGETTO) is the key."""
    first = new_project(*action_and_city, code="BO-1", cup="F39G16000350007")
    first.oc_code = "1MISE123"
    insert(first)
    insert(new_project(*action_and_city, code="BO-2", cup="F39G16000350007"))
    again = new_project(*action_and_city, code="BO-3", cup="F39G16000350007")
    again.oc_code = "1MISE123"
    with pytest.raises(sa.exc.IntegrityError, match="uq_projects_oc_code"):
        insert(again)


def test_the_database_accepts_amounts_out_of_order_only_when_flagged(action_and_city):
    with pytest.raises(sa.exc.IntegrityError, match="ck_projects_vincolante_ge_erogato"):
        insert(new_project(*action_and_city, code="BO-1", amounts=(400, 300, 100, 200)))
    flagged = new_project(*action_and_city, code="BO-2", amounts=(400, 300, 100, 200))
    flagged.amounts_inconsistent = True
    insert(flagged)


def test_the_database_refuses_a_duplicate_project_code(action_and_city):
    insert(new_project(*action_and_city, code="BO-1"))
    with pytest.raises(sa.exc.IntegrityError, match="uq_projects_code"):
        insert(new_project(*action_and_city, code="BO-1"))
