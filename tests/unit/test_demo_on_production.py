"""The demo data refuses a production app: it would create accounts with a public password.

Apart from tests/unit/test_demo.py, whose tests share one seeded demo: this one starts empty."""
import pytest
import sqlalchemy as sa

from civiclab.accounts.models import User
from civiclab.demo import DemoRefused, seed_demo


def users(db_session):
    return db_session.scalar(sa.select(sa.func.count()).select_from(User))


def test_seed_demo_refuses_a_production_app_unless_forced(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)

    with pytest.raises(DemoRefused):
        seed_demo()
    assert users(db_session) == 0
    seed_demo(force=True)
    assert users(db_session) == 8
