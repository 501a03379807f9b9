import pytest


@pytest.fixture
def public_address(app, monkeypatch):
    """As in production: no SERVER_NAME, the links take the configured public address."""
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "CIVICLAB_BASE_URL", "https://civiclab.example.org")


@pytest.fixture
def ctx(app, db_session, public_address):
    """A request context on the site's address: services' messages and mail links need one."""
    with app.test_request_context("/", base_url="https://civiclab.example.org"):
        yield


@pytest.fixture
def lab_call(make_lab, make_project, make_call, make_facilitator):
    """A call of a lab on a project of the same city, in its proposals phase, and its facilitator."""
    lab = make_lab()
    project = make_project(city=lab.city)
    call = make_call(project=project, lab=lab)
    return call, make_facilitator(lab)
