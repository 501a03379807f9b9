"""Places: cities, their Laboratori aperti, and who runs them."""
from flask import Blueprint

bp = Blueprint("places", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from flask_babel import lazy_gettext as _l

    from civiclab.accounts.names import reserved_names
    from civiclab.core.header import MenuEntry, menu_entries
    from civiclab.places import admin_routes, names, routes  # noqa: F401  (routes fill bp)

    reserved_names.add("municipalities", names.municipality_names)  # "Comune di Bologna" is the city's
    menu_entries.add("places.cities", MenuEntry("places.cities", _l("Città"), 20, within=("places.cities", "pages.city")))
    menu_entries.add("places.labs", MenuEntry("places.labs", _l("Laboratori"), 30, within=(
        "places.labs", "pages.lab", "places.lab_new", "places.lab_edit")))

    app.register_blueprint(bp)
