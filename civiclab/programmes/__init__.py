"""Programmes: PON Metro and its kin, their axes and actions, city plans and projects."""
from flask import Blueprint

bp = Blueprint("programmes", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from flask_babel import lazy_gettext as _l

    from civiclab.core.header import MenuEntry, menu_entries
    from civiclab.programmes import admin_routes, commentable, routes  # noqa: F401  (routes fill bp)

    commentable.connect()  # comments attach to projects (core/targets.py)
    menu_entries.add("programmes.projects", MenuEntry("programmes.projects", _l("Progetti"), 50, within=("programmes.",)))

    app.register_blueprint(bp)
