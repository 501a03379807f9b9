"""Pages that show several domains at once (the home page): assembled here, above them all, so
no domain reaches up to the ones it shows."""
from flask import Blueprint

bp = Blueprint("pages", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.pages import routes  # noqa: F401  (fill bp)

    app.register_blueprint(bp)
