"""Who may read, write, edit, vote on and moderate comments (pure functions). What a comment is
about answers who reads it and who moderates it (its kind's rules, core/targets.py)."""
from datetime import timedelta

from civiclab.comments.models import EDIT_WINDOW_MINUTES
from civiclab.comments.targets import kind_of, target_of
from civiclab.core.permissions import is_authenticated
from civiclab.core.time import utcnow
from civiclab.places.permissions import can_moderate_in_city


def can_view_comment(user, comment):
    """Whoever may see what it is about (a published project, a visible proposal)."""
    kind, target = target_of(comment)
    return kind.may_view(user, target)


def can_comment(user):
    """Confirmed accounts (blocks are checked by the service, with their end date)."""
    return is_authenticated(user) and user.is_confirmed


def can_edit_comment(user, comment, now=None):
    """Its author, within 15 minutes of posting, while it is visible."""
    if not is_authenticated(user) or comment.author_id != user.id or not comment.is_visible:
        return False
    return (now or utcnow()) - comment.created_at <= timedelta(minutes=EDIT_WINDOW_MINUTES)


def can_delete_comment(user, comment):
    return is_authenticated(user) and comment.author_id == user.id and comment.deleted_at is None


def can_moderate_comment(user, comment):
    """Who moderates the comments of what it is about (`can_moderate_comments_on`)."""
    return can_moderate_comments_on(user, target_of(comment)[1])


def can_moderate_comments_on(user, target):
    """Who moderates every comment of a target (a thread's page asks once, not per comment): on a
    proposal, who moderates its call; on a project, the city's moderators (its municipality
    staff, the facilitators of its labs, administrators)."""
    if not is_authenticated(user):
        return False
    kind = kind_of(target)
    if kind.may_moderate is not None:
        return kind.may_moderate(user, target)
    return can_moderate_in_city(user, kind.city_of(target))
