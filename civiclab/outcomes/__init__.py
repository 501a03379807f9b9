"""Outcomes: what the municipality decided, built and how far it got, per project: results with
status, progress and milestones, the proposals they adopt and the events where they were
co-designed."""
from flask import Blueprint

bp = Blueprint("outcomes", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.core.sections import page_sections
    from civiclab.outcomes import commentable, followable, notify, queries, routes  # noqa: F401  (routes fill bp)

    page_sections.add(("project", "outcomes"), queries.project_section)  # the sheet's outcomes tree
    page_sections.add(("proposal", "adopted_in"), queries.adopted_in)  # "Adottata in «…»"

    commentable.connect()  # comments attach to outcomes (core/targets.py), their thread on its page
    followable.connect()  # outcomes can be followed (follows/kinds.py), the button on its page
    notify.connect()  # status, progress and milestones told to whom it concerns

    app.register_blueprint(bp)
