"""With REDIS_URL, a commit in one process throws away the pages every other process stored
(core/page_cache.py: INCR after the commit, GET at each look-up).

The apps here are built without REDIS_URL and given a Redis data version afterwards: an app built
with REDIS_URL in this process would give the one Flask-SocketIO extension a message queue, and
every later test's Socket.IO test client would refuse to run."""
import pytest
import sqlalchemy as sa

from tests.conftest import make_app

pytestmark = pytest.mark.redis


def with_redis_version(app, redis_url):
    """`app` whose page cache reads and bumps its data version in Redis at `redis_url`."""
    from civiclab.core.page_cache import DataVersion
    from civiclab.extensions import db

    with app.app_context():
        app.extensions["page_cache"].version = DataVersion(db.engine, redis_url)
    return app


def test_a_commit_in_one_process_reaches_the_pages_another_process_stored(tmp_path, redis_url):
    from civiclab.extensions import db
    from civiclab.places.models import City

    url = f"sqlite:///{tmp_path}/pages.sqlite3"
    reader = with_redis_version(make_app(url), redis_url)
    writer = with_redis_version(make_app(url), redis_url)
    # Only Redis may carry the change across: not SQLite's own counter.
    reader.extensions["page_cache"].version._sqlite_path = None
    with writer.app_context():
        db.session.add(City(slug="borgo-rosso", name="Borgo Rosso", region="Lazio", description=""))
        db.session.commit()

    visitor = reader.test_client()
    assert "Borgo Rosso" in visitor.get("/citta").get_data(as_text=True)
    hits = reader.extensions["page_cache"].store.hits
    assert "Borgo Rosso" in visitor.get("/citta").get_data(as_text=True)
    assert reader.extensions["page_cache"].store.hits == hits + 1

    with writer.app_context():
        db.session.execute(sa.update(City).where(City.slug == "borgo-rosso").values(name="Borgo Blu"))
        db.session.commit()

    page = visitor.get("/citta").get_data(as_text=True)
    assert "Borgo Blu" in page and "Borgo Rosso" not in page


def test_without_redis_answering_pages_are_served_fresh(tmp_path):
    from civiclab.extensions import db
    from civiclab.places.models import City

    app = with_redis_version(make_app(f"sqlite:///{tmp_path}/pages.sqlite3"), "redis://127.0.0.1:1/0")
    with app.app_context():
        db.session.add(City(slug="borgo-verde", name="Borgo Verde", region="Lazio", description=""))
        db.session.commit()
    visitor = app.test_client()
    for _ in range(2):
        response = visitor.get("/citta")
        assert response.status_code == 200 and "Borgo Verde" in response.get_data(as_text=True)
        assert "ETag" not in response.headers
    assert app.extensions["page_cache"].store.stores == 0
