import sqlalchemy as sa

from civiclab.places.models import City


def test_a_city_made_in_one_test(make_city):
    make_city(name="Rollback Town")


def test_is_gone_in_the_next(db_session):
    assert db_session.scalar(sa.select(City).filter_by(name="Rollback Town")) is None
