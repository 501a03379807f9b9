"""Search: one box over events, projects, calls and proposals."""
from flask import Blueprint

bp = Blueprint("search", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.search import routes  # noqa: F401  (fill bp)

    app.register_blueprint(bp)
