"""Following calls, proposals and projects: the news of what one follows, and digests."""
from flask import Blueprint

bp = Blueprint("follows", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.follows import notify, routes  # noqa: F401  (fill bp)

    notify.connect_listeners()  # notifications of proposals, replies and followed news

    app.register_blueprint(bp)
