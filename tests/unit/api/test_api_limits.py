"""The API's read limits count per token (per address for visitors), writes per person; 429 in the
API's error shape."""
from tests.fixtures.api import bearer


def test_each_token_has_its_own_read_budget_and_429_is_the_api_error_shape(limited_client, make_user, make_token):
    user = make_user()
    one, two = make_token(user), make_token(user)
    statuses = [limited_client.get("/api/v1/cities", headers=bearer(one)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert limited_client.get("/api/v1/cities", headers=bearer(two)).status_code == 200
    refused = limited_client.get("/api/v1/cities", headers=bearer(one))
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_requests"


def test_visitors_are_counted_by_address(limited_client):
    statuses = [limited_client.get("/api/v1/cities").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
