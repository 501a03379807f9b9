"""Reading comments: a page of threads with all their replies (the comments section of a
target's page), a comment for a route, and where a comment is shown.

A page of threads costs the same few queries whatever its size: the top-level comments of the
page (and their count), every reply of those threads in one query by root_id, the viewer's votes
in one more; authors come joined. The tree is built in Python.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, lazyload
from werkzeug.datastructures import MultiDict

from civiclab.accounts.blocks import ensure_not_blocked
from civiclab.accounts.models import User
from civiclab.comments import permissions
from civiclab.comments.models import MAX_SHOWN_DEPTH, Comment, CommentVote
from civiclab.comments.services import discussion_problem
from civiclab.comments.targets import kind_of, named_target, target_of
from civiclab.core.errors import NotAllowed
from civiclab.core.forms import filter_id
from civiclab.core.pagination import page_number
from civiclab.core.permissions import is_authenticated, require
from civiclab.core.targets import commentable
from civiclab.core.time import utcnow
from civiclab.core.urls import url_keeping_query
from civiclab.extensions import db
from civiclab.places.roles import role_badges

PER_PAGE = 20
SORTS = ("oldest", "newest", "best")
# The query arguments of the section on its target's page (the page may paginate something else).
SORT_ARG = "ordine_commenti"
PAGE_ARG = "pagina_commenti"
ANCHOR = "commenti"


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
    """What templates/comments/_section.html shows: a page of the comments on `target`."""

    kind: object  # the target's Commentable (core/targets.py)
    target: object
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

    def list_url(self, sort=None, page=None):
        """The target's page with the section's order or page changed, landing on the section
        (the page's other arguments kept, unless it was shown again after a failed POST)."""
        on_its_page = request.method == "GET" and request.endpoint == self.kind.endpoint
        changes = {}
        if sort is not None:
            changes = {SORT_ARG: sort, PAGE_ARG: None}
        if page is not None:
            changes[PAGE_ARG] = page
        return url_keeping_query(self.kind.endpoint, self.kind.url_values(self.target),
                                 request.args if on_its_page else (), anchor=ANCHOR, **changes)


def _with_author():
    """Authors joined; their roles (eager by default on User) are not needed to show a comment."""
    return joinedload(Comment.author).options(lazyload(User.staff_roles), lazyload(User.facilitator_roles))


def _about(kind, target):
    return getattr(Comment, kind.column) == target.id


def _same_subject(comment):
    kind, target = target_of(comment)
    return _about(kind, target)


def _root_order(sort):
    if sort == "newest":
        return (Comment.created_at.desc(), Comment.id.desc())
    if sort == "best":
        return ((Comment.upvotes - Comment.downvotes).desc(), Comment.created_at, Comment.id)
    return (Comment.created_at, Comment.id)


def _write_problem(viewer, target):
    if not is_authenticated(viewer):
        return None
    if not permissions.can_comment(viewer):
        return _l("Conferma il tuo indirizzo email per commentare: trovi il link nel messaggio che ti "
                  "abbiamo mandato.")
    problem = discussion_problem(target)
    if problem:
        return problem
    try:
        ensure_not_blocked(viewer)
    except NotAllowed as refusal:
        return refusal.message
    return None


def threads_select(kind, target):
    """The top-level comments on `target` (of its Commentable `kind`), authors joined, unordered."""
    return sa.select(Comment).where(_about(kind, target), Comment.parent_id.is_(None)).options(_with_author())


def replies_of(roots):
    """Every reply in the threads of `roots` (one query), authors joined, oldest first."""
    if not roots:
        return []
    return db.session.scalars(
        sa.select(Comment).where(Comment.root_id.in_([root.id for root in roots]))
        .options(_with_author())
        .order_by(Comment.created_at, Comment.id)
    ).all()


def load_thread(viewer, sort="oldest", page=1, now=None, **target):
    """A page of the threads on a target named by its kind (`proposal=…`): PER_PAGE top-level
    comments, ordered by `sort`, with all their replies, oldest first under each comment."""
    kind, target = named_target(target)
    sort = sort if sort in SORTS else "oldest"
    now = now or utcnow()
    subject = _about(kind, target)
    threads_total, visible_total = db.session.execute(
        sa.select(
            sa.func.count(Comment.id).filter(Comment.parent_id.is_(None)),
            sa.func.count(Comment.id).filter(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None)),
        ).where(subject)
    ).one()
    pages = max(1, -(-threads_total // PER_PAGE))
    page = min(max(page or 1, 1), pages)
    roots = db.session.scalars(
        threads_select(kind, target).order_by(*_root_order(sort)).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    replies = replies_of(roots)
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
        kind=kind, target=target, roots=root_nodes, sort=sort, page=page, pages=pages,
        threads_total=threads_total, visible_total=visible_total,
        can_moderate=permissions.can_moderate_comments_on(viewer, target),
        can_vote=is_authenticated(viewer) and permissions.can_comment(viewer)
        and discussion_problem(target) is None,
        write_problem=_write_problem(viewer, target),
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


def thread_for(target):
    """The thread of `target` its page shows, at the order and page its query asks for."""
    page = page_number(MultiDict({"page": request.args.get(PAGE_ARG, "1")}))
    return load_thread(current_user, sort=request.args.get(SORT_ARG, "oldest"), page=page,
                       **{kind_of(target).kind: target})


def comments_section(target):
    """The ("<kind>", "comments") section of a target's page (core/sections.py): its thread, or
    None while its page shows no comments (a proposal not yet public)."""
    return thread_for(target) if kind_of(target).shows_comments(target) else None


def comment_select(comment_id):
    return sa.select(Comment).where(Comment.id == comment_id).options(joinedload(Comment.author))


def load_comment(comment_id, for_="view"):
    """The comment, for the current user to `for_` ("view", "edit", "delete", "moderate"): 404
    when it is not there or is about what they may not see, 403 when it is not theirs to act on."""
    comment = db.first_or_404(comment_select(comment_id))
    if not permissions.can_view_comment(current_user, comment):
        abort(404)  # a comment on what one may not see does not exist for them
    if for_ == "edit":
        require(is_authenticated(current_user) and comment.author_id == current_user.id)
    elif for_ == "delete":
        require(permissions.can_delete_comment(current_user, comment))
    elif for_ == "moderate":
        require(permissions.can_moderate_comment(current_user, comment))
    return comment


def load_target(formdata):
    """(its Commentable, the target) a comment form names by its hidden field (`proposal_id`):
    400 when it names none or several, 404 when it is not there for the current user."""
    named = [(kind, filter_id(formdata.get(kind.column))) for kind in commentable.values()]
    named = [(kind, target_id) for kind, target_id in named if target_id is not None]
    if len(named) != 1:
        abort(400)  # the section always sends exactly one target
    kind, target_id = named[0]
    target = kind.load(target_id)
    if target is None or not kind.may_view(current_user, target):
        abort(404)
    return kind, target


# ---- where a comment is read ----------------------------------------------------------------

def target_url(target):
    """The comments section of `target`'s page."""
    kind = kind_of(target)
    return url_for(kind.endpoint, **kind.url_values(target), _anchor=ANCHOR)


def comment_url(comment):
    """A comment's place on its target's page, on the section's page that shows its thread."""
    kind, target = target_of(comment)
    args = {"_anchor": f"commento-{comment.id}"}
    page = page_of(comment)
    if page > 1:
        args[PAGE_ARG] = page
    return url_for(kind.endpoint, **kind.url_values(target), **args)


def comment_anchor_url(comment):
    """A comment on its target's page (first page of the section: no query, for lists of many)."""
    kind, target = target_of(comment)
    return url_for(kind.endpoint, **kind.url_values(target), _anchor=f"commento-{comment.id}")
