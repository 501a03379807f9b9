"""Programmes: PON Metro and its kin, their axes and actions, city plans and projects."""
from flask import Blueprint

bp = Blueprint("programmes", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.programmes import commentable, routes  # noqa: F401  (routes fill bp)

    commentable.connect()  # comments attach to projects (core/targets.py)

    app.register_blueprint(bp)
