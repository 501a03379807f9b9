"""Route walk rows for the participation dashboards of a city and a lab (pages/participation_routes.py):
public pages and downloads of aggregate figures, the same for every role."""
from tests.unit.route_tables.common import everyone


def city_url(w, suffix=""):
    return f"/citta/{w['city'].slug}/partecipazione{suffix}"


def lab_url(w, suffix=""):
    return f"/citta/{w['city'].slug}/laboratori/{w['lab'].slug}/partecipazione{suffix}"


ROUTES = {
    "pages.city_participation": ("GET", lambda w: city_url(w), everyone(200)),
    "pages.city_participation_csv": ("GET", lambda w: city_url(w, ".csv"), everyone(200)),
    "pages.city_participation_json": ("GET", lambda w: city_url(w, ".json"), everyone(200)),
    "pages.lab_participation": ("GET", lambda w: lab_url(w), everyone(200)),
    "pages.lab_participation_csv": ("GET", lambda w: lab_url(w, ".csv"), everyone(200)),
    "pages.lab_participation_json": ("GET", lambda w: lab_url(w, ".json"), everyone(200)),
}
