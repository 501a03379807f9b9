"""Comments can be reported: what moderation reads about them (moderation/reportable.py), added
from comments' connect(). Three reporters hide a comment until a moderator decides; upholding the
reports keeps it hidden in the moderator's name, with the reason its author reads."""
import sqlalchemy as sa

from civiclab.comments import permissions
from civiclab.comments.models import Comment
from civiclab.comments.queries import comment_anchor_url
from civiclab.comments.targets import loads, target_of
from civiclab.core.targets import commentable
from civiclab.moderation.reportable import Reportable, reportable


def _city_of(comment):
    kind, target = target_of(comment)
    return kind.city_of(target) if target is not None else None


def _loads():
    return tuple(loads(lambda kind: getattr(Comment, kind.kind)))


def _author_city_ids(user):
    """The cities of the targets `user` commented on, one SELECT per kind of target."""
    selects = []
    for kind in commentable.values():
        targets = kind.city_ids().subquery()
        selects.append(sa.select(targets.c.city_id).join(Comment, getattr(Comment, kind.column) == targets.c.id)
                       .where(Comment.author_id == user.id))
    return tuple(selects)


def _pending_review(comment):
    return comment.is_pending_review


def _hidden_by_moderator(actor, comment, reason, now):
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason


COMMENT = Reportable(
    name="commento", model=Comment, column="comment_id", may_moderate=permissions.can_moderate_comment,
    city_of=_city_of, url=comment_anchor_url, loads=_loads, author_city_ids=_author_city_ids,
    pending_review=_pending_review, upheld=_hidden_by_moderator,
)


def connect():
    reportable.add(COMMENT.name, COMMENT)
