"""Pages that show several domains at once (the home page, a city's and a lab's page, the
management dashboard): assembled here, above them all, so no domain reaches up to the ones it shows."""
from flask import Blueprint

bp = Blueprint("pages", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from flask_babel import lazy_gettext as _l

    from civiclab.core.header import MenuEntry, menu_entries
    from civiclab.pages import admin_routes, dashboard_routes, participation_routes, routes  # noqa: F401  (fill bp)
    from civiclab.places.permissions import can_manage_anything

    menu_entries.add("pages.home", MenuEntry("pages.home", _l("Home"), 10))
    # "Gestione": by the same rule the dashboard is guarded by.
    menu_entries.add("pages.manage", MenuEntry("pages.manage", _l("Gestione"), 70, within=(
        "pages.manage", "places.staff", "pages.administration", "places.admin_cities", "places.city_new",
        "places.city_edit", "places.admin_roles", "programmes.admin_programmes", "programmes.programme_new",
        "programmes.programme_admin", "programmes.programme_edit", "programmes.axis_new", "programmes.axis_edit",
        "programmes.plan_edit"), visible=can_manage_anything))

    app.register_blueprint(bp)
