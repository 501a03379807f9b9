"""/healthz says the process answers; /readyz says whether what it needs answers, and which
check failed, without an address or a password in the body."""
import socket
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from civiclab.core import health


@pytest.fixture
def queries():
    """Every statement any engine runs during the test."""
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_ok_without_touching_the_database(client, queries):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert queries == []


def test_healthz_answers_even_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "db", SimpleNamespace(session=None))  # any use would raise
    assert client.get("/healthz").status_code == 200


def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured",
                                                               "queue": "inline"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_names_the_database_when_it_does_not_answer(client, monkeypatch, tmp_path):
    broken = sa.create_engine(f"sqlite:///{tmp_path}/no-such-folder/civiclab.sqlite3")
    monkeypatch.setattr(health, "db", SimpleNamespace(session=sa.orm.Session(broken)))
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("error: ")
    text = response.get_data(as_text=True)
    assert "sqlite" not in text and "no-such-folder" not in text


def test_readyz_names_redis_when_it_does_not_answer_and_keeps_its_url_secret(client, app, monkeypatch):
    port = closed_port()
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://:s3cret-pass@127.0.0.1:{port}/3")
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503
    assert body == {"status": "unavailable", "checks": {"database": "ok", "redis": body["checks"]["redis"],
                                                        "queue": "inline"}}
    assert body["checks"]["redis"].startswith("error: ")
    text = response.get_data(as_text=True)
    assert "s3cret" not in text and "127.0.0.1" not in text and str(port) not in text and "redis://" not in text


def test_a_check_another_domain_adds_counts_in_readyz(client, monkeypatch):
    def queue():
        raise RuntimeError("queue at redis://:pw@10.0.0.1 unreachable")

    monkeypatch.setitem(health.READINESS._entries, "queue", queue)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["queue"] == "error: RuntimeError"
    assert "10.0.0.1" not in response.get_data(as_text=True)


def test_readyz_names_the_queue_when_jobs_go_to_redis_and_it_does_not_answer(client, app, monkeypatch):
    port = closed_port()
    monkeypatch.setitem(app.config, "JOB_QUEUE", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{port}/3")
    body = client.get("/readyz").get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["queue"].startswith("error: ")


def test_a_check_may_say_more_than_ok(client, monkeypatch):
    monkeypatch.setitem(health.READINESS._entries, "queue", lambda: "3 jobs waiting")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["queue"] == "3 jobs waiting"


def test_health_checks_answer_a_check_from_loopback_that_trusted_hosts_would_refuse(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["civiclab.example.org"])
    for path in ("/healthz", "/readyz"):
        assert client.get(path, base_url="http://127.0.0.1:8001").status_code == 200
    assert client.get("/privacy", base_url="http://127.0.0.1:8001").status_code == 400


def test_health_checks_are_never_pages_of_the_page_cache(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert "ETag" not in first.headers and "ETag" not in second.headers
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_health_checks_count_against_no_rate_limit(limited_app, limited_client):
    statuses = {limited_client.get(path).status_code for path in ("/healthz", "/readyz") for _ in range(40)}
    assert statuses == {200}
