"""Who may read, write, edit, vote on and moderate comments (pure functions)."""
from datetime import timedelta

from civiclab.comments.models import EDIT_WINDOW_MINUTES
from civiclab.core.permissions import is_admin, is_authenticated
from civiclab.core.time import utcnow
from civiclab.places.permissions import can_manage_city
from civiclab.proposals.permissions import can_contribute, can_moderate_proposal, can_view_proposal


def can_view_comment(user, comment):
    """Whoever may see what it is about (a published project, a visible proposal)."""
    if comment.proposal_id is not None:
        return can_view_proposal(user, comment.proposal)
    return comment.project.published or can_manage_city(user, comment.project.city_id)


def can_comment(user):
    """Confirmed accounts (blocks are checked by the service, with their end date)."""
    return can_contribute(user)


def can_edit_comment(user, comment, now=None):
    """Its author, within 15 minutes of posting, while it is visible."""
    if not is_authenticated(user) or comment.author_id != user.id or not comment.is_visible:
        return False
    return (now or utcnow()) - comment.created_at <= timedelta(minutes=EDIT_WINDOW_MINUTES)


def can_delete_comment(user, comment):
    return is_authenticated(user) and comment.author_id == user.id and comment.deleted_at is None


def can_moderate_comment(user, comment):
    """On a proposal: who moderates its call. On a project: the city's municipality staff, the
    facilitators of the city's labs, administrators."""
    if comment.proposal_id is not None:
        return can_moderate_comments_on(user, proposal=comment.proposal)
    return can_moderate_comments_on(user, project=comment.project)


def can_moderate_comments_on(user, project=None, proposal=None):
    """Who moderates every comment of a subject (a thread's page asks once, not per comment)."""
    if not is_authenticated(user):
        return False
    if proposal is not None:
        return can_moderate_proposal(user, proposal)
    city_id = project.city_id
    if is_admin(user) or city_id in user.staff_city_ids:
        return True
    return any(role.lab.city_id == city_id for role in user.facilitator_roles)

