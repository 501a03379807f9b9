"""Accounts: users, organisations and memberships, roles, consent, sign-in, sessions."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.accounts import (  # noqa: F401  (routes fill bp)
        identity_routes,
        organisation_routes,
        routes,
        sessions,
    )

    sessions.connect()  # a site-wide block signs the user out everywhere

    app.register_blueprint(bp)
