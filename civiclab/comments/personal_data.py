"""A user's comments and votes in their data export.

Account deletion leaves both in place: the comments keep their threads, shown under the deleted
account's name ("Utente eliminato"), and the votes stay counted in the comments' denormalised
upvotes/downvotes, anonymous once the account is.
"""
import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from civiclab.accounts.services import export_section
from civiclab.comments.models import Comment, CommentVote
from civiclab.core.time import isoformat
from civiclab.extensions import db
from civiclab.programmes.models import Project
from civiclab.programmes.permissions import can_view_project
from civiclab.proposals.models import Call, Proposal
from civiclab.proposals.permissions import can_view_proposal


@export_section("comments")
def export_comments(user):
    """Every comment of `user`, with what it is about (one query). A subject they may no longer
    see (a hidden proposal, an unpublished project) is named by its id alone."""
    rows = db.session.execute(
        sa.select(Comment, Project, Proposal)
        .outerjoin(Project, Comment.project_id == Project.id)
        .outerjoin(Proposal, Comment.proposal_id == Proposal.id)
        .outerjoin(Call, Proposal.call_id == Call.id)
        .options(contains_eager(Proposal.call).lazyload(Call.themes))
        .where(Comment.author_id == user.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return [
        {
            "id": comment.id,
            "subject": _subject(user, project, proposal),
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
        for comment, project, proposal in rows
    ]


def _subject(user, project, proposal):
    if project is not None:
        return {"project_id": project.id, "title": project.title if can_view_project(user, project) else None}
    return {"proposal_id": proposal.id, "title": proposal.title if can_view_proposal(user, proposal) else None}


@export_section("comment_votes")
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
