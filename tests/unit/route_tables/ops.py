"""Route walk rows of the health checks (civiclab/core/health.py): anyone may ask them, signed
in or not (they show no data: "ok" or which service does not answer)."""
from tests.unit.route_tables.common import everyone

ROUTES = {
    "health.healthz": ("GET", lambda w: "/healthz", everyone(200)),
    "health.readyz": ("GET", lambda w: "/readyz", everyone(200)),
}
