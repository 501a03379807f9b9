"""Comments on projects, proposals and outcomes: threads, replies, votes, their moderation."""
from flask import Blueprint

bp = Blueprint("comments", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.comments import personal_data, queries, reportable, routes  # noqa: F401  (routes fill bp)
    from civiclab.core.sections import page_sections
    from civiclab.core.targets import commentable

    personal_data.connect()  # a person's comments and votes, in their data export
    reportable.connect()  # comments can be reported (moderation/reportable.py)
    for kind in commentable:  # the thread on the page of each kind of target (added on lower floors)
        page_sections.add((kind, "comments"), queries.comments_section)

    app.register_blueprint(bp)
