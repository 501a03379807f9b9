"""Every API operation, called by every role with a token of its own (read and write scopes), and
by a visitor without one: who gets what (200, 201, 204, 401, 403, 404, 409, 422).

The rows are in tests/unit/route_tables/api_<slice>.py (TOKEN_ROUTES); an API endpoint answering
JSON that is missing from them fails `test_every_api_endpoint_is_in_the_token_table` (HTML pages are
the cookie walk's alone). The world is the route walk's.
"""
import pytest

from tests.fixtures.api import bearer
from tests.unit.route_tables.api import TOKEN_ROUTES
from tests.unit.route_tables.common import ROLES
from tests.unit.test_route_permissions import ROUTES as COOKIE_ROUTES
from tests.unit.test_route_permissions import built_world, world  # noqa: F401  (the walk's world)


def call(client, make_token, world, role, method, url, body):  # noqa: F811
    user = world["users"][role]
    headers = bearer(make_token(user)) if user is not None else {}
    return client.open(url, method=method, json=body, headers=headers)


def answers_html(client, world, endpoint):  # noqa: F811
    """Whether `endpoint` answers a visitor with HTML (a page, or a redirect to the sign-in page),
    asked as its row in the cookie walk says."""
    if endpoint not in COOKIE_ROUTES:
        return False  # (test_every_route_is_in_the_table fails for it)
    method, url, _expected = COOKIE_ROUTES[endpoint]
    return client.open(url(world), method=method).mimetype == "text/html"


def test_every_api_endpoint_is_in_the_token_table(app, client, world):  # noqa: F811
    """Every endpoint of the API that answers JSON is walked with tokens; its HTML pages (the token
    pages, the documentation) read cookies like every page, and the cookie walk covers them."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    html_pages = {name for name in endpoints - set(TOKEN_ROUTES) if answers_html(client, world, name)}
    assert endpoints - html_pages - set(TOKEN_ROUTES) == set(), "add these API endpoints to a TOKEN_ROUTES table"
    assert set(TOKEN_ROUTES) - endpoints == set(), "these API endpoints no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(TOKEN_ROUTES))
def test_who_reaches_each_api_operation(client, make_token, world, endpoint, role):  # noqa: F811
    method, url, body, expected = TOKEN_ROUTES[endpoint]
    response = call(client, make_token, world, role, method, url(world), body(world) if body else None)
    assert response.status_code == expected[role], f"{role} {method} {url(world)}: {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
