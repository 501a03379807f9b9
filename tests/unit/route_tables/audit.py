"""Route walk rows for the audit log: its page is read by administrators and the municipality staff
(of their cities: the filters and rows are narrowed, not refused), its CSV by administrators only."""
from tests.unit.route_tables.common import admins_only, managers

ROUTES = {
    # other_staff manage another city: they read that city's entries, so the page opens for them too
    "audit.entries": ("GET", lambda w: "/gestione/registro", managers(200, other_staff=200)),
    "audit.export": ("GET", lambda w: "/gestione/registro.csv", admins_only(200)),
}
