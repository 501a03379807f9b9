"""What a review of the API found, kept fixed: a recovered account leaves no token behind, writes
count per person, HEAD counts as a read, next links carry no url_for arguments, days out of range."""
import pytest

from tests.fixtures.api import bearer


def test_a_password_reset_revokes_every_token(app, client, make_user, make_token, make_city, db_session):
    from civiclab.accounts import services

    user = make_user()
    token = make_token(user)
    services._replace_password(user, "Una-password-nuova-99")
    db_session.commit()
    assert client.get("/api/v1/cities", headers=bearer(token)).status_code == 401


def test_signing_out_everywhere_revokes_every_token(client, make_user, make_token, db_session):
    from civiclab.accounts import sessions

    user = make_user()
    token = make_token(user)
    sessions.end_other_sessions(user)
    db_session.commit()
    assert client.get("/api/v1/cities", headers=bearer(token)).status_code == 401


def test_a_persons_tokens_share_one_write_budget(limited_client, make_user, make_token, make_project, db_session):
    user = make_user()
    project = make_project()
    tokens = [make_token(user) for _ in range(3)]
    statuses = [limited_client.post(f"/api/v1/projects/{project.code}/comments", json={"body": f"Commento {n}"},
                                    headers=bearer(tokens[n % 3])).status_code for n in range(4)]
    assert statuses == [201, 201, 429, 429]  # RATELIMIT_COMMENT is 2 a minute in the limited app


def test_head_counts_as_a_read(limited_client):
    statuses = [limited_client.head("/api/v1/cities").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("extra", ["endpoint=x", "_method=POST", "_external=1", "_anchor=a"])
def test_a_next_link_is_a_path_whatever_the_query_holds(client, make_city, extra):
    for _ in range(2):
        make_city()
    response = client.get(f"/api/v1/cities?limit=1&{extra}")
    assert response.status_code == 200
    link = response.get_json()["links"]["next"]
    assert link.startswith("/api/v1/cities?") and extra in link
    assert client.get(link).status_code == 200


def test_a_path_parameters_name_in_the_query_does_not_break_the_link(client, make_project, make_user, make_token):
    project = make_project()
    token = make_token(make_user())
    for n in range(2):
        client.post(f"/api/v1/projects/{project.code}/comments", json={"body": f"Commento {n}"}, headers=bearer(token))
    response = client.get(f"/api/v1/projects/{project.code}/comments?limit=1&code=x")
    assert response.status_code == 200 and response.get_json()["links"]["next"]


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=1899-12-31"])
def test_a_day_out_of_the_pages_range_is_a_422(client, query):
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == 422 and query.split("=")[0] in response.get_json()["error"]["fields"]
