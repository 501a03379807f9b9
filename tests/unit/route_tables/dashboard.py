"""Route walk rows for the city dashboard (cruscotto): endpoint -> (method, url built from the
world, status per role). See tests/unit/route_tables/follows.py for what the world holds."""
from tests.unit.route_tables.common import everyone

ROUTES = {
    # a city's figures (plans, projects, outcomes by status) are public, for every role
    "pages.city_dashboard": ("GET", lambda w: f"/citta/{w['city'].slug}/cruscotto", everyone(200)),
}
