"""In-app notifications: the bell in the header and the notifications page."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.notifications import routes  # noqa: F401  (fill bp)

    app.register_blueprint(bp)
