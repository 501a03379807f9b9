"""Reading comments: a page of threads with all their replies, and where a comment is shown.

A page of threads costs the same few queries whatever its size: the top-level comments of the
page (and their count), every reply of those threads in one query by root_id, the viewer's votes
in one more; authors come joined. The tree is built in Python.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, lazyload

from civiclab.accounts.models import User
from civiclab.comments import permissions
from civiclab.comments.models import MAX_SHOWN_DEPTH, Comment, CommentVote
from civiclab.comments.services import discussion_problem
from civiclab.core.errors import NotAllowed
from civiclab.core.permissions import is_authenticated
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.accounts.blocks import ensure_not_blocked
from civiclab.places.roles import role_badges

PER_PAGE = 20
SORTS = ("oldest", "newest", "best")


@dataclass
class CommentNode:
    """A comment as a page shows it, with the replies shown under it."""

    comment: Comment
    my_vote: int = 0
    children: list = field(default_factory=list)
    # Replies deeper than MAX_SHOWN_DEPTH sit beside their parent: the page says whom they answer.
    reply_to: Comment | None = None
    can_edit: bool = False
    can_delete: bool = False

    @property
    def id(self):
        return self.comment.id

    @property
    def shown_depth(self):
        return min(self.comment.depth, MAX_SHOWN_DEPTH)


@dataclass
class Thread:
    """What templates/comments/_section.html shows."""

    project: object
    proposal: object
    roots: list
    sort: str
    page: int
    pages: int
    threads_total: int  # top-level comments, all pages
    visible_total: int  # comments anyone can read, replies included
    can_moderate: bool
    can_vote: bool
    # Why the viewer may not write here (None: they may; anonymous visitors get a link instead).
    write_problem: str | None
    signed_in: bool
    badges: dict = field(default_factory=dict)  # {author id: role badge}, for ui.author

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def _with_author():
    """Authors joined; their roles (eager by default on User) are not needed to show a comment."""
    return joinedload(Comment.author).options(lazyload(User.staff_roles), lazyload(User.facilitator_roles))


def _subject_filter(project=None, proposal=None):
    if proposal is not None:
        return Comment.proposal_id == proposal.id
    return Comment.project_id == project.id


def _same_subject(comment):
    if comment.proposal_id is not None:
        return Comment.proposal_id == comment.proposal_id
    return Comment.project_id == comment.project_id


def _root_order(sort):
    if sort == "newest":
        return (Comment.created_at.desc(), Comment.id.desc())
    if sort == "best":
        return ((Comment.upvotes - Comment.downvotes).desc(), Comment.created_at, Comment.id)
    return (Comment.created_at, Comment.id)


def _write_problem(viewer, project, proposal):
    if not is_authenticated(viewer):
        return None
    if not permissions.can_comment(viewer):
        return _l("Conferma il tuo indirizzo email per commentare: trovi il link nel messaggio che ti "
                  "abbiamo mandato.")
    problem = discussion_problem(project=project, proposal=proposal)
    if problem:
        return problem
    try:
        ensure_not_blocked(viewer)
    except NotAllowed as refusal:
        return refusal.message
    return None


def load_thread(viewer, project=None, proposal=None, sort="oldest", page=1, now=None):
    """A page of the subject's threads (PER_PAGE top-level comments, ordered by `sort`) with all
    their replies, oldest first under each comment."""
    sort = sort if sort in SORTS else "oldest"
    now = now or utcnow()
    subject = _subject_filter(project, proposal)
    threads_total, visible_total = db.session.execute(
        sa.select(
            sa.func.count(Comment.id).filter(Comment.parent_id.is_(None)),
            sa.func.count(Comment.id).filter(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None)),
        ).where(subject)
    ).one()
    pages = max(1, -(-threads_total // PER_PAGE))
    page = min(max(page or 1, 1), pages)
    roots = db.session.scalars(
        sa.select(Comment).where(subject, Comment.parent_id.is_(None))
        .options(_with_author())
        .order_by(*_root_order(sort)).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    replies = []
    if roots:
        replies = db.session.scalars(
            sa.select(Comment).where(Comment.root_id.in_([root.id for root in roots]))
            .options(_with_author())
            .order_by(Comment.created_at, Comment.id)
        ).all()
    votes = {}
    if is_authenticated(viewer) and roots:
        ids = [comment.id for comment in (*roots, *replies)]
        votes = dict(db.session.execute(
            sa.select(CommentVote.comment_id, CommentVote.value)
            .where(CommentVote.user_id == viewer.id, CommentVote.comment_id.in_(ids))
        ).all())

    def node(comment):
        return CommentNode(
            comment=comment, my_vote=votes.get(comment.id, 0),
            can_edit=permissions.can_edit_comment(viewer, comment, now=now),
            can_delete=permissions.can_delete_comment(viewer, comment),
        )

    root_nodes = [node(root) for root in roots]
    nodes = {item.id: item for item in root_nodes}
    for reply in replies:
        parent = nodes.get(reply.parent_id)
        if parent is None:
            continue  # its parent is not in these threads (cannot happen with root_id kept right)
        item = node(reply)
        shown_under = parent
        while shown_under.comment.depth >= MAX_SHOWN_DEPTH:
            shown_under = nodes[shown_under.comment.parent_id]
        if shown_under is not parent:
            item.reply_to = parent.comment
        shown_under.children.append(item)
        nodes[item.id] = item

    return Thread(
        project=project, proposal=proposal, roots=root_nodes, sort=sort, page=page, pages=pages,
        threads_total=threads_total, visible_total=visible_total,
        can_moderate=permissions.can_moderate_comments_on(viewer, project=project, proposal=proposal),
        can_vote=is_authenticated(viewer) and permissions.can_comment(viewer)
        and discussion_problem(project=project, proposal=proposal) is None,
        write_problem=_write_problem(viewer, project, proposal),
        signed_in=is_authenticated(viewer),
        badges=role_badges(comment.author for comment in (*roots, *replies)),
    )


def page_of(comment):
    """The page (oldest first, the default order) on which `comment`'s thread is shown."""
    root = comment if comment.parent_id is None else db.session.get(Comment, comment.root_id)
    before = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            _same_subject(root), Comment.parent_id.is_(None),
            sa.or_(Comment.created_at < root.created_at,
                   sa.and_(Comment.created_at == root.created_at, Comment.id < root.id)),
        )
    )
    return before // PER_PAGE + 1


def comment_select(comment_id):
    return sa.select(Comment).where(Comment.id == comment_id).options(joinedload(Comment.author))
