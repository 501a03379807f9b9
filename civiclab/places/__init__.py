"""Places: cities, their Laboratori aperti, and who runs them."""
from flask import Blueprint

bp = Blueprint("places", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.places import routes  # noqa: F401  (fill bp)

    app.register_blueprint(bp)
