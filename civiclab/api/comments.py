"""The comments of a proposal, a project or an outcome, as the comments section of its page shows
them, and writing one or a reply as the section does. Targets are read through the registry of
commentable kinds (core/targets.py); a project is named by its code, as its page is."""
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field

from civiclab.api.errors import ApiError, not_found
from civiclab.api.paging import api_page
from civiclab.api.schemas import Id, Input, Page, Query, Schema, Text, datetime, field
from civiclab.api.spec import operation
from civiclab.comments import permissions, queries, services
from civiclab.comments.models import Comment
from civiclab.comments.services import BODY_MAX
from civiclab.core.pagination import Key
from civiclab.core.sanitize import safe_html
from civiclab.core.targets import commentable
from civiclab.extensions import db
from civiclab.places.roles import role_badges
from civiclab.programmes.queries import load_project

STANCES = Literal["in_favour", "neutral", "against"]
# What the section shows in place of a comment nobody may read (templates/comments/_macros.html).
PLACEHOLDERS = {
    "deleted": _l("Commento eliminato dall’autore."),
    "pending_review": _l("Commento nascosto in attesa di verifica: è stato segnalato da più persone e i "
                         "moderatori lo stanno esaminando."),
    "hidden": _l("Commento nascosto dai moderatori."),
}


class CommentOut(Schema):
    id: int = field("Identificativo", "The comment's id.")
    parent_id: int | None = field("In risposta a", "The comment it answers; null for a thread's first comment.")
    depth: int = field("Livello", "0 for a thread's first comment, 1 for a reply to it, and so on.")
    status: Literal["visible", "deleted", "hidden", "pending_review"] = field(
        "Stato", "visible; deleted by its author; hidden by the moderators; pending_review: hidden after "
        "several reports while the moderators look at it. Only a visible comment shows its author and text.")
    author: str | None = field("Autore", "Its author's name; null unless visible.")
    author_badge: str | None = field("Ruolo", "The author's role as the page shows it (facilitator, "
                                     "municipality…); null for none.")
    body: str | None = field("Il tuo commento", "The text as written (Markdown); null unless visible.")
    body_html: str | None = field("Il tuo commento", "The text as the page shows it (sanitised HTML); null "
                                  "unless visible.")
    placeholder: str | None = field("Segnaposto", "What the page shows instead of a comment that is not "
                                    "visible; null when visible.")
    stance: STANCES | None = field("La tua posizione sulla proposta", "The stance a first comment on a proposal "
                                   "takes; null for none.")
    score: int | None = field("Punteggio", "Up votes minus down votes; null unless visible.")
    created_at: datetime = field("Pubblicato", "When it was written (UTC).")
    edited_at: datetime | None = field("Modificato", "When its author last changed it (UTC); null if never.")


class ThreadOut(CommentOut):
    replies: list[CommentOut] = field("Risposte", "Every reply in the thread, the oldest first (each names "
                                      "the comment it answers in parent_id).")


def _status(comment):
    if comment.is_deleted:
        return "deleted"
    if comment.is_pending_review:
        return "pending_review"
    return "hidden" if comment.is_hidden else "visible"


def comment_out(comment, badges):
    status = _status(comment)
    visible = status == "visible"
    return {
        "id": comment.id, "parent_id": comment.parent_id, "depth": comment.depth, "status": status,
        "author": comment.author.display_name if visible else None,
        "author_badge": str(badges[comment.author_id]) if visible and comment.author_id in badges else None,
        "body": comment.body if visible else None,
        "body_html": str(safe_html(comment.body_html)) if visible else None,
        "placeholder": None if visible else str(PLACEHOLDERS[status]),
        "stance": comment.stance.value if visible and comment.stance else None,
        "score": comment.score if visible else None,
        "created_at": comment.created_at, "edited_at": comment.edited_at if visible else None,
    }


# ---- what the comments are about -----------------------------------------------------------

def _target(actor, kind_name, target_id=None, target=None):
    """(its Commentable, the target) for `actor`: 404 when it is not there or not theirs to see."""
    kind = commentable[kind_name]
    target = target if target is not None else kind.load(target_id)
    if target is None or not kind.may_view(actor, target):
        raise not_found()
    return kind, target


def _shown(kind, target):
    """The target whose page shows its comments now (a proposal once published); 404 otherwise."""
    if not kind.shows_comments(target):
        raise not_found()
    return kind, target


# ---- reading -------------------------------------------------------------------------------

class CommentQuery(Query):
    pass


def _threads(kind, target, query):
    """A keyset page of the target's threads, the oldest first (the section's default order), each
    with all its replies: three queries whatever the page holds."""
    page = api_page(queries.threads_select(kind, target), [Key(Comment.created_at), Key(Comment.id)],
                    query=query, list_name=f"comments:{kind.kind}", order_name=str(target.id))
    roots = page["data"]
    replies = queries.replies_of(roots)
    badges = role_badges(comment.author for comment in (*roots, *replies))
    under = {}
    for reply in replies:
        under.setdefault(reply.root_id, []).append(comment_out(reply, badges))
    threads = [{**comment_out(root, badges), "replies": under.get(root.id, [])} for root in roots]
    return {**page, "data": threads}


@operation("GET", "/proposals/<id:proposal_id>/comments", tag="codesign", summary="Comments of a proposal",
           query=CommentQuery, response=Page[ThreadOut])
def proposal_comments(actor, proposal_id, query):
    """The threads on a published proposal, the oldest first, with their replies."""
    return _threads(*_shown(*_target(actor, "proposal", proposal_id)), query)


@operation("GET", "/projects/<code>/comments", tag="codesign", summary="Comments of a project",
           query=CommentQuery, response=Page[ThreadOut])
def project_comments(actor, code, query):
    """The threads on a published project (named by its code), the oldest first, with their replies."""
    return _threads(*_shown(*_target(actor, "project", target=load_project(code))), query)


@operation("GET", "/outcomes/<id:outcome_id>/comments", tag="codesign", summary="Comments of an outcome",
           query=CommentQuery, response=Page[ThreadOut])
def outcome_comments(actor, outcome_id, query):
    """The threads on a published outcome, the oldest first, with their replies."""
    return _threads(*_shown(*_target(actor, "outcome", outcome_id)), query)


# ---- writing -------------------------------------------------------------------------------

class CommentIn(Input):
    body: Annotated[Text, Field(min_length=1, max_length=BODY_MAX)] = field(
        "Il tuo commento", "The text (Markdown: bold, italics, lists, links).")
    stance: STANCES | None = field("La tua posizione sulla proposta (facoltativa)", "Only on a proposal, and "
                                   "only in a thread's first comment.", None)
    parent_id: Id | None = field("In risposta a", "The comment this one answers (a reply); null for a new "
                                 "thread.", None)


def _parent(actor, parent_id):
    """The comment a reply answers, if `actor` sees it (422 on parent_id otherwise)."""
    parent = db.session.get(Comment, parent_id)
    if parent is None or not permissions.can_view_comment(actor, parent):
        message = _l("Il commento a cui rispondi non esiste.")
        raise ApiError(422, message, fields={"parent_id": message})
    return parent


def _post(actor, kind, target, body):
    parent = _parent(actor, body.parent_id) if body.parent_id else None
    comment = services.post_comment(actor, body.body, parent=parent, stance=body.stance,
                          **{kind.kind: target})
    return comment_out(comment, role_badges([comment.author]))


# Comments and replies share one budget per person, the pages' own (scope "comment-posting").
WRITING = {"tag": "codesign", "auth": "write", "body": CommentIn, "response": CommentOut, "status": 201,
           "conflict": True, "errors": (403,), "limit": "RATELIMIT_COMMENT", "shared_limit": "comment-posting"}


@operation("POST", "/proposals/<id:proposal_id>/comments", summary="Comment on a proposal", **WRITING)
def proposal_comment_new(actor, proposal_id, body):
    """A comment (with an optional stance) or a reply on a published proposal, while its call takes
    comments (409 otherwise); by a confirmed account that is not blocked (403)."""
    return _post(actor, *_target(actor, "proposal", proposal_id), body)


@operation("POST", "/projects/<code>/comments", summary="Comment on a project", **WRITING)
def project_comment_new(actor, code, body):
    """A comment or a reply on a published project; by a confirmed account that is not blocked."""
    return _post(actor, *_target(actor, "project", target=load_project(code)), body)


@operation("POST", "/outcomes/<id:outcome_id>/comments", summary="Comment on an outcome", **WRITING)
def outcome_comment_new(actor, outcome_id, body):
    """A comment or a reply on a published outcome; by a confirmed account that is not blocked."""
    return _post(actor, *_target(actor, "outcome", outcome_id), body)
