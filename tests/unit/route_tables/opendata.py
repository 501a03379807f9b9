"""Route walk rows for the open data: endpoint -> (method, url built from the world, status per role).

Everything here is public (only what the site already shows anyone): every role gets the page, the
files and the catalogue; an unknown dataset is 404 for everyone (tests/unit/opendata).
"""
from tests.unit.route_tables.common import everyone

ROUTES = {
    "opendata.index": ("GET", lambda w: "/dati-aperti", everyone(200)),
    "opendata.download": ("GET", lambda w: "/dati-aperti/progetti.csv", everyone(200)),
    "opendata.archive": ("GET", lambda w: "/dati-aperti/civiclab-dati-aperti.zip", everyone(200)),
    "opendata.catalogue_file": ("GET", lambda w: "/dati-aperti/catalogo.ttl", everyone(200)),
}
