"""Comments on projects and proposals: threads, replies, votes, their moderation."""
from flask import Blueprint

bp = Blueprint("comments", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.comments import routes  # noqa: F401  (fill bp)

    app.register_blueprint(bp)
