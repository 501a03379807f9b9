"""Integration tests on the real services: PostgreSQL (marker postgres) and Redis (marker redis).

Each fixture skips its tests when the service does not answer, or fails them when
CIVICLAB_REQUIRE_SERVICES=1 (scripts/test, CI).
"""
import os

import pytest
import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL
from tests.integration.services import unavailable

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def postgres_admin_url():
    """PG_ADMIN_URL, once PostgreSQL answers on it."""
    engine = sa.create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL does not answer on {PG_ADMIN_URL}: {error.orig}")
    finally:
        engine.dispose()
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def redis_url():
    """TEST_REDIS_URL (database 15 by default), once Redis answers on it."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        unavailable(f"Redis does not answer on {TEST_REDIS_URL}: {error}")
    finally:
        client.close()
    return TEST_REDIS_URL
