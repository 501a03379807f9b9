"""Accounts: users, organisations and memberships, roles, consent, sign-in, sessions."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.accounts import organisation_routes, routes, sessions  # noqa: F401  (routes fill bp)
    from civiclab.accounts import identity_routes  # noqa: F401  (SPID and CIE)

    sessions.connect()  # a site-wide block signs the user out everywhere

    app.register_blueprint(bp)
