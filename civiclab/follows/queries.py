"""Reading follows for pages: the loader of what a button follows, and the follow button's state
on the pages of projects, calls, proposals and outcomes."""
from flask import abort
from flask_login import current_user

from civiclab.extensions import db
from civiclab.follows import services


def load_subject(kind, subject_id, for_="follow"):
    """The project, call, proposal, outcome… (`kind` as in the URL) `subject_id`, or 404: what
    the signed-in person may not see, or a kind nobody follows, does not exist for them."""
    if for_ != "follow":
        raise ValueError(for_)
    known = services.kinds()
    if kind not in known:
        abort(404)
    model, _column, _can_view = known[kind]
    subject = db.session.get(model, subject_id)
    if subject is None or not services.can_follow(current_user, subject):
        abort(404)
    return subject


def followed_by_viewer(subject):
    """The section ("project" | "call" | "proposal" | "outcome", "follow") of those pages: whether the
    signed-in person follows `subject` (False for visitors)."""
    return services.is_following(current_user, subject)
