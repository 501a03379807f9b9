"""Route walk rows for the administration pages: cities, programmes and their axes (administrators
only), each city's budget per axis (read by the city's staff, written by administrators), the
roles of every city (administrators) and the administration index (whoever manages a city).

The world's project comes with the test programme ("TEST-PROG") and its axis 3; the world has no
city plan, so the budget page shows "no plan yet" and an administrator's POST would make one.
"""
from tests.unit.route_tables.common import admins_only, managers


def _programme(w):
    import sqlalchemy as sa

    from civiclab.extensions import db
    from civiclab.programmes.models import Programme

    return db.session.scalar(sa.select(Programme).filter_by(code="TEST-PROG"))


def _budget(w):
    return f"/gestione/programmi/{_programme(w).id}/citta/{w['city'].slug}/budget"


ROUTES = {
    # the index: administrators and any city's staff (for their own cities)
    "pages.administration": ("GET", lambda w: "/gestione/amministrazione", managers(200, other_staff=200)),
    # cities: administrators only (an empty form is 422)
    "places.admin_cities": ("GET", lambda w: "/gestione/citta", admins_only(200)),
    "places.city_new": ("GET", lambda w: "/gestione/citta/nuova", admins_only(200)),
    "places.city_edit": ("GET", lambda w: f"/gestione/citta/{w['city'].slug}/modifica", admins_only(200)),
    "places.admin_roles": ("GET", lambda w: "/gestione/ruoli", admins_only(200)),
    # programmes and axes: administrators only
    "programmes.admin_programmes": ("GET", lambda w: "/gestione/programmi", admins_only(200)),
    "programmes.programme_new": ("GET", lambda w: "/gestione/programmi/nuovo", admins_only(200)),
    "programmes.programme_admin": ("GET", lambda w: f"/gestione/programmi/{_programme(w).id}", admins_only(200)),
    "programmes.programme_edit": (
        "GET", lambda w: f"/gestione/programmi/{_programme(w).id}/modifica", admins_only(200),
    ),
    "programmes.axis_new": ("GET", lambda w: f"/gestione/programmi/{_programme(w).id}/assi/nuovo", admins_only(200)),
    "programmes.axis_edit": (
        "GET", lambda w: f"/gestione/assi/{_programme(w).axes[0].id}/modifica", admins_only(200),
    ),
    # a city's budget: its staff read it (200), administrators too; the other city's staff not
    "programmes.plan_edit": ("GET", _budget, managers(200)),
}
