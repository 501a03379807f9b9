"""Route walk rows for the API about itself: its front door and its OpenAPI document (public)."""
from tests.unit.route_tables.common import everyone

ROUTES = {
    "api.index": ("GET", lambda w: "/api/v1/", everyone(200)),
    "api.openapi_json": ("GET", lambda w: "/api/v1/openapi.json", everyone(200)),
}

TOKEN_ROUTES = {
    "api.index": ("GET", lambda w: "/api/v1/", None, everyone(200)),
    "api.openapi_json": ("GET", lambda w: "/api/v1/openapi.json", None, everyone(200)),
}
