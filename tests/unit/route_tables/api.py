"""The API's route walk rows, gathered from each slice's module (api_<slice>.py)."""
from tests.unit.route_tables import api_codesign, api_events, api_meta, api_places, api_projects, api_tokens

MODULES = (api_meta, api_places, api_projects, api_events, api_codesign, api_tokens)

ROUTES, TOKEN_ROUTES = {}, {}
for module in MODULES:
    assert not set(module.ROUTES) & set(ROUTES), "an API endpoint is in two tables"
    ROUTES.update(module.ROUTES)
    TOKEN_ROUTES.update(module.TOKEN_ROUTES)
