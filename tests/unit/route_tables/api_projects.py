"""Route walk rows for the API's projects and outcomes: public reads.

ROUTES: the cookie walk (tests/unit/test_route_permissions.py): the API reads no cookie, so every
signed-in role is answered as a visitor. TOKEN_ROUTES: the token walk (tests/unit/api/
test_api_roles.py): endpoint -> (method, url built from the world, JSON body or None, status per
role, each role calling with a read-and-write token of its own; "anonymous" with none). The
world's draft project is walked in tests/unit/api/test_api_projects.py.
"""
from tests.unit.route_tables.common import everyone
from tests.unit.route_tables.outcomes import outcome_world


def _outcome(w):
    return f"/api/v1/outcomes/{outcome_world(w)['outcome']}"


ROUTES = {
    "api.projects": ("GET", lambda w: f"/api/v1/projects?city={w['city'].slug}", everyone(200)),
    "api.project": ("GET", lambda w: f"/api/v1/projects/{w['project'].code}", everyone(200)),
    "api.outcomes": ("GET", lambda w: f"/api/v1/outcomes?project={w['project'].code}", everyone(200)),
    "api.outcome": ("GET", _outcome, everyone(200)),
}

TOKEN_ROUTES = {
    "api.projects": ("GET", lambda w: f"/api/v1/projects?city={w['city'].slug}", None, everyone(200)),
    "api.project": ("GET", lambda w: f"/api/v1/projects/{w['project'].code}", None, everyone(200)),
    "api.outcomes": ("GET", lambda w: f"/api/v1/outcomes?project={w['project'].code}", None, everyone(200)),
    "api.outcome": ("GET", _outcome, None, everyone(200)),
}
