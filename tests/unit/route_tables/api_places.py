"""Route walk rows for the API's places (cities, labs): public reads.

ROUTES: the cookie walk (tests/unit/test_route_permissions.py): the API reads no cookie, so every
signed-in role is answered as a visitor. TOKEN_ROUTES: the token walk (tests/unit/api/
test_api_roles.py): endpoint -> (method, url built from the world, JSON body or None, status per
role, each role calling with a read-and-write token of its own; "anonymous" with none).
"""
from tests.unit.route_tables.common import everyone

ROUTES = {
    "api.cities": ("GET", lambda w: "/api/v1/cities", everyone(200)),
    "api.city": ("GET", lambda w: f"/api/v1/cities/{w['city'].slug}", everyone(200)),
    "api.labs": ("GET", lambda w: f"/api/v1/labs?city={w['city'].slug}", everyone(200)),
    "api.lab": ("GET", lambda w: f"/api/v1/labs/{w['lab'].id}", everyone(200)),
}

TOKEN_ROUTES = {
    "api.cities": ("GET", lambda w: "/api/v1/cities", None, everyone(200)),
    "api.city": ("GET", lambda w: f"/api/v1/cities/{w['city'].slug}", None, everyone(200)),
    "api.labs": ("GET", lambda w: f"/api/v1/labs?city={w['city'].slug}", None, everyone(200)),
    "api.lab": ("GET", lambda w: f"/api/v1/labs/{w['lab'].id}", None, everyone(200)),
}
