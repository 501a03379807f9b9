"""The public REST API, version 1 (`/api/v1/`): everything public to read, writes as a person with
a personal access token, an OpenAPI 3.1 document built from the same declarations the endpoints
validate with.

Each resource group is a module of operations (`places.py`, `events.py`, …) declared with
`spec.operation`; they load, check and write through the domains' own queries, permissions and
services, so no rule is written twice. The token pages (`/account/token-api`) are in
`token_routes.py`.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The modules whose operations fill `bp` (and the OpenAPI document), in the document's order.
RESOURCES = ("places", "projects", "outcomes", "events", "proposals", "comments", "meta")


def connect(app):
    """Wire the API into `app`: its operations, its error answers, the token listeners."""
    from importlib import import_module

    from civiclab.api import auth, errors, personal_data, token_routes  # noqa: F401  (errors: the blueprint's handlers)
    from civiclab.api.cli import api_token_command
    from civiclab.extensions import csrf

    for name in RESOURCES:
        import_module(f"civiclab.api.{name}")
    csrf.exempt(bp)  # a token in a header is not sent by a browser on its own: no CSRF to fear
    auth.connect()  # a blocked or deleted person's tokens stop working
    personal_data.connect()
    app.register_blueprint(bp)
    token_routes.register(app)  # the token pages: the site's HTML, outside /api/v1
    app.cli.add_command(api_token_command)
