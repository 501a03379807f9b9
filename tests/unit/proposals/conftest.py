import pytest


@pytest.fixture
def in_request(app, db_session):
    """A request context, for services whose messages are translated when read."""
    with app.test_request_context():
        yield


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """This test's own upload folder (the app's config points there while it runs)."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder
