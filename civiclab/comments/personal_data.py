"""A user's comments and votes in their data export.

Account deletion leaves both in place: the comments keep their threads, shown under the deleted
account's name ("Utente eliminato"), and the votes stay counted in the comments' denormalised
upvotes/downvotes, anonymous once the account is.
"""
import sqlalchemy as sa

from civiclab.accounts.services import export_section
from civiclab.comments.models import Comment, CommentVote
from civiclab.comments.targets import loads, target_of
from civiclab.core.time import isoformat
from civiclab.extensions import db


def export_comments(user):
    """Every comment of `user`, with what it is about (one query). A target they may no longer
    see (a hidden proposal, an unpublished project) is named by its id alone."""
    comments = db.session.scalars(
        sa.select(Comment).options(*loads(lambda kind: getattr(Comment, kind.kind)))
        .where(Comment.author_id == user.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return [
        {
            "id": comment.id,
            "subject": _subject(user, comment),
            "in_reply_to": comment.parent_id,
            "body": comment.body,
            "stance": comment.stance.value if comment.stance else None,
            "created_at": isoformat(comment.created_at),
            "edited": comment.edited_at is not None,
            "edited_at": isoformat(comment.edited_at),
            "deleted": comment.is_deleted,
            "deleted_at": isoformat(comment.deleted_at),
            "hidden": comment.is_hidden,
            "hidden_at": isoformat(comment.hidden_at),
            "hidden_reason": comment.hidden_reason,
        }
        for comment in comments
    ]


def _subject(user, comment):
    kind, target = target_of(comment)
    return {kind.column: target.id, "title": target.title if kind.may_view(user, target) else None}


def export_comment_votes(user):
    """The comments `user` voted up or down (one query)."""
    votes = db.session.scalars(
        sa.select(CommentVote).where(CommentVote.user_id == user.id).order_by(CommentVote.created_at, CommentVote.id)
    )
    return [
        {"comment_id": vote.comment_id, "vote": "up" if vote.value > 0 else "down",
         "created_at": isoformat(vote.created_at)}
        for vote in votes
    ]


def connect():
    export_section("comments", export_comments)
    export_section("comment_votes", export_comment_votes)
