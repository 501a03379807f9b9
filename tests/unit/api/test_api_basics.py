"""The API's frame: the error shape, tokens in the header, cookies ignored, ETags, the document."""
import pytest
from openapi_spec_validator import validate

from tests.fixtures.api import bearer


def test_a_city_list_is_a_page_with_a_next_link(client, make_city, db_session):
    for _ in range(3):
        make_city()
    first = client.get("/api/v1/cities?limit=2")
    assert first.status_code == 200
    body = first.get_json()
    assert len(body["data"]) == 2 and body["links"]["next"].startswith("/api/v1/cities?")
    rest = client.get(body["links"]["next"]).get_json()
    assert [c["id"] for c in body["data"] + rest["data"]] == sorted(c["id"] for c in body["data"] + rest["data"])
    assert len(rest["data"]) == 1 and rest["links"]["next"] is None


def test_an_unknown_city_is_a_404_in_the_api_error_shape(client):
    response = client.get("/api/v1/cities/nessuna")
    assert response.status_code == 404 and response.is_json
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert response.get_json()["error"]["code"] == "not_found"


def test_an_unknown_api_address_is_json_not_a_page(client):
    response = client.get("/api/v1/niente/da/vedere")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_a_bad_limit_is_a_422_naming_the_field_in_the_readers_language(client):
    italian = client.get("/api/v1/cities?limit=0").get_json()["error"]
    english = client.get("/api/v1/cities?limit=abc", headers={"Accept-Language": "en"}).get_json()["error"]
    assert italian["code"] == "invalid" and "limit" in italian["fields"] and "almeno" in italian["fields"]["limit"]
    assert "limit" in english["fields"]


def test_a_wrong_token_is_a_401_even_on_a_public_read(client):
    response = client.get("/api/v1/cities", headers=bearer("clk_not-a-token"))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_valid_token_reads_and_records_its_use(client, make_user, make_token):
    user = make_user()
    token = make_token(user, scopes="read")
    assert client.get("/api/v1/cities", headers=bearer(token)).status_code == 200
    assert make_token.rows[token].last_used_at is not None


def test_a_revoked_token_is_refused(client, make_user, make_token, db_session):
    from civiclab.core.time import utcnow

    user = make_user()
    token = make_token(user)
    make_token.rows[token].revoked_at = utcnow()
    db_session.commit()
    assert client.get("/api/v1/cities", headers=bearer(token)).status_code == 401


def test_a_get_answers_304_to_its_own_etag(client, make_city):
    make_city()
    first = client.get("/api/v1/cities")
    again = client.get("/api/v1/cities", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_openapi_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)
    assert "/cities/{slug}" in spec["paths"]
    limit = next(p for p in spec["paths"]["/cities"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100


@pytest.mark.parametrize("query", ["limit=1.0", "limit=1_0", "limit=%201", "limit=1e1"])
def test_an_integer_in_a_query_is_written_in_digits(client, query):
    response = client.get(f"/api/v1/cities?{query}")
    assert response.status_code == 422 and "limit" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("value, status", [("true", 200), ("false", 200), ("yes", 422), ("1", 422), ("True", 422)])
def test_a_boolean_in_a_query_is_true_or_false(client, value, status):
    assert client.get(f"/api/v1/calls?open={value}").status_code == status


def test_a_json_body_past_its_limit_is_a_413_in_the_api_shape(client, make_user, make_token):
    token = make_token(make_user())
    call = client.post("/api/v1/calls/1/proposals", data=b'{"title": "' + b"a" * 300_000 + b'"}',
                       headers={**bearer(token), "Content-Type": "application/json"})
    assert call.status_code == 413 and call.get_json()["error"]["code"] == "too_large"
