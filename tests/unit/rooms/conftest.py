import pytest


@pytest.fixture
def in_request(app, db_session):
    """A request context, for services whose messages are translated when read."""
    with app.test_request_context():
        yield
