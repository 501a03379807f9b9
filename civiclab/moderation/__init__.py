"""Moderation: the queues of proposals and reports, decisions and their log, blocks."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.moderation import routes  # noqa: F401  (fill bp)

    app.register_blueprint(bp)
