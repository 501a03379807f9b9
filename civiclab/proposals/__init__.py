"""Calls for ideas and the proposals written under them (pages in routes.py and call_routes.py)."""
from flask import Blueprint

bp = Blueprint("proposals", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.core.sections import page_sections
    from civiclab.proposals import call_routes, commentable, personal_data, queries, routes  # noqa: F401  (routes fill bp)

    personal_data.connect()  # the data export's sections, and what account deletion does
    commentable.connect()  # comments attach to proposals (core/targets.py)
    page_sections.add(("project", "calls"), queries.project_calls)  # a project's page lists its calls

    _add_menu_entries()

    app.register_blueprint(bp)


def _add_menu_entries():
    """The main menu's "Call per idee" and my own "Le mie proposte" (core/header.py; base.html shows them)."""
    from flask_babel import lazy_gettext as _l

    from civiclab.core.header import MenuEntry, menu_entries

    menu_entries.add("proposals.calls", MenuEntry("proposals.calls", _l("Call per idee"), 60, within=("proposals.",)))
    menu_entries.add("proposals.mine", MenuEntry("proposals.mine", _l("Le mie proposte"), 20, personal=True))
