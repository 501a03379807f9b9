"""Open data: the public datasets (CSV, JSON, one ZIP) under CC BY 4.0, their DCAT-AP_IT
catalogue, and the imports that read them back (projects CSV, OpenCoesione)."""
from flask import Blueprint

bp = Blueprint("opendata", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.opendata import routes  # noqa: F401  (the pages)
    from civiclab.opendata.projects_import import import_projects_command

    app.register_blueprint(bp)
    app.cli.add_command(import_projects_command)
    from civiclab.opendata.opencoesione import import_opencoesione_command
    app.cli.add_command(import_opencoesione_command)
