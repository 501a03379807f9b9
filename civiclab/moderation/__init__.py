"""Moderation: the queues of proposals and reports, decisions and their log, blocks."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.moderation import routes  # noqa: F401  (fill bp)

    _add_menu_entries()

    app.register_blueprint(bp)


def _add_menu_entries():
    """The main menu's "Moderazione", for whoever moderates something, with the proposals waiting
    (the "moderation" header counter) in its label (core/header.py; base.html shows it)."""
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    from civiclab.core.header import MenuEntry, menu_entries
    from civiclab.moderation.queries import moderates_any_call

    menu_entries.add("moderation.proposal_queue", MenuEntry(
        "moderation.proposal_queue", _l("Moderazione"), 80, within=("moderation.",), visible=moderates_any_call,
        counter="moderation", extra={"with_count": lambda num: _("Moderazione (%(num)d)", num=num)}))
