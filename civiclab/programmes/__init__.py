"""Programmes: PON Metro and its kin, their axes and actions, city plans and projects."""
from flask import Blueprint

bp = Blueprint("programmes", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.programmes import routes  # noqa: F401  (fill bp)

    app.register_blueprint(bp)
