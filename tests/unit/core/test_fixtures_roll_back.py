import pytest
import sqlalchemy as sa

from civiclab.places.models import City
from tests.fixtures.database import Rows, building_on
from tests.fixtures.factories import factories_on


def test_a_city_made_in_one_test(make_city):
    make_city(name="Rollback Town")


def test_is_gone_in_the_next(db_session):
    assert db_session.scalar(sa.select(City).filter_by(name="Rollback Town")) is None


# A world built once for the module (tests/fixtures/database.py): each test runs in a savepoint of it.

@pytest.fixture(scope="module")
def town(app, module_connection):
    with building_on(app, module_connection) as session:
        return Rows({"city": factories_on(session).make_city(name="World Town")})


def test_a_test_changes_its_modules_world(db_session, town, make_city):
    town["city"].name = "Renamed Town"
    make_city(name="Another Town")  # commits the rename too
    assert db_session.scalar(sa.select(City.name).filter_by(id=town["city"].id)) == "Renamed Town"


def test_the_next_finds_the_world_as_it_was_built(db_session, town):
    assert town["city"].name == "World Town"
    assert db_session.scalar(sa.select(City.name).filter_by(id=town["city"].id)) == "World Town"
    assert db_session.scalar(sa.select(City).filter_by(name="Another Town")) is None
