"""Route walk rows for the API about itself: its front door, its OpenAPI document and its
documentation page (public). The page is HTML, read with cookies like every page: it is in the
cookie walk only (test_api_roles exempts HTML pages from the token walk)."""
from tests.unit.route_tables.common import everyone

ROUTES = {
    "api.index": ("GET", lambda w: "/api/v1/", everyone(200)),
    "api.openapi_json": ("GET", lambda w: "/api/v1/openapi.json", everyone(200)),
    "api.documentation": ("GET", lambda w: "/api/v1/documentazione", everyone(200)),
}

TOKEN_ROUTES = {
    "api.index": ("GET", lambda w: "/api/v1/", None, everyone(200)),
    "api.openapi_json": ("GET", lambda w: "/api/v1/openapi.json", None, everyone(200)),
}
