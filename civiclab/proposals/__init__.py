"""Calls for ideas and the proposals written under them (pages in routes.py and call_routes.py)."""
from flask import Blueprint

bp = Blueprint("proposals", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.proposals import call_routes, commentable, routes  # noqa: F401  (routes fill bp)

    commentable.connect()  # comments attach to proposals (core/targets.py)

    app.register_blueprint(bp)
