"""Moderation: the queues of proposals and reports, decisions and their log, blocks."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.core.header import Counter, counters
    from civiclab.core.sections import page_sections
    from civiclab.moderation import forms, personal_data, queries, reportable, routes  # noqa: F401  (routes fill bp)

    reportable.connect()  # proposals can be reported (comments and rooms add their own kinds)
    personal_data.connect()  # a person's reports and the blocks on them, in their data export
    page_sections.add(("proposal", "report"), forms.report_form_for)
    counters.add("moderation", Counter(queries.waiting_count_column))  # the proposals waiting for this moderator

    _add_menu_entries()

    app.register_blueprint(bp)


def _add_menu_entries():
    """The main menu's "Moderazione", for whoever moderates something, with the proposals waiting
    (the "moderation" header counter) in its label (core/header.py; base.html shows it)."""
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    from civiclab.core.header import MenuEntry, menu_entries
    from civiclab.moderation.permissions import can_moderate_anything

    menu_entries.add("moderation.proposal_queue", MenuEntry(
        "moderation.proposal_queue", _l("Moderazione"), 80, within=("moderation.",), visible=can_moderate_anything,
        counter="moderation", extra={"with_count": lambda num: _("Moderazione (%(num)d)", num=num)}))
