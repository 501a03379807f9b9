"""Following calls, proposals, projects and outcomes: the news of what one follows, and digests."""
from flask import Blueprint

bp = Blueprint("follows", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    from civiclab.core.sections import page_sections
    from civiclab.follows import notify, personal_data, queries, routes  # noqa: F401  (routes fill bp)

    notify.connect()  # notifications of proposals, replies and followed news
    personal_data.connect()  # "download my data" and deleting an account
    for page in ("proposal", "project", "call"):  # the follow button on their pages
        page_sections.add((page, "follow"), queries.followed_by_viewer)

    app.register_blueprint(bp)
