"""The rules of comments: who may post where, threads, editing within the window, deleting with a
placeholder, votes with their counters, reporting, and moderators hiding and restoring.

Services take plain values and the acting user, check permissions and rules, flush and emit
signals; the request boundary commits. What a comment is about is read through core/targets.py;
reports and the log are moderation's (moderation/services.py), which comments call. A
proposal's or an outcome's comments_count follows every change of visibility by itself (see
`recount_comments` in comments/models.py).
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.accounts.blocks import ensure_not_blocked
from civiclab.comments import permissions
from civiclab.comments.models import EDIT_WINDOW_MINUTES, Comment, CommentVote, Stance
from civiclab.comments.targets import kind_of, named_target, target_of
from civiclab.core import signals
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.permissions import is_authenticated
from civiclab.core.sanitize import is_blank, render_markdown, text_content
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.moderation import services as moderation

BODY_MAX = 5_000
VOTE_VALUES = (-1, 0, 1)  # down, cancel, up


def _body(body):
    """The Markdown source and its sanitised HTML; empty or oversized text is refused."""
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise DomainError(_l("Il commento può avere al massimo %(n)d caratteri.", n=BODY_MAX), field="body")
    html = render_markdown(body)
    if is_blank(text_content(html)):
        raise DomainError(_l("Scrivi il testo del commento."), field="body")
    return body, html


def _stance(value):
    if value is None or value == "":
        return None
    if isinstance(value, Stance):
        return value
    try:
        return Stance(value)
    except ValueError:
        raise DomainError(_l("Scegli una posizione tra quelle proposte."), field="stance") from None


def discussion_problem(target):
    """Why nobody may comment on `target` now (a message), or None when the discussion is open
    (its kind's rule: a published project, a public proposal in a phase that takes comments)."""
    return kind_of(target).discussion_problem(target)


def _ensure_may_contribute(actor):
    if not permissions.can_comment(actor):
        raise NotAllowed(_l("Conferma il tuo indirizzo email per commentare."))
    ensure_not_blocked(actor)


def post_comment(actor, body, parent=None, stance=None, **target):
    """A new comment by `actor` on a target named by its kind (`project=…`, `proposal=…`), or a
    reply to `parent` (the target is then the parent's). A stance is taken only by top-level
    comments on a kind that takes one (proposals)."""
    _ensure_may_contribute(actor)
    named = named_target(target)
    if parent is not None:
        kind, about = target_of(parent)
        if named is not None and (named[0] != kind or named[1].id != about.id):
            raise DomainError(_l("La risposta deve riguardare lo stesso argomento del commento."), field="parent_id")
        named = kind, about
        if not parent.is_visible:
            raise DomainError(_l("Non si può rispondere a un commento eliminato o nascosto."))
    if named is None:
        raise DomainError(_l("Scegli che cosa commentare."))
    kind, about = named
    problem = kind.discussion_problem(about)
    if problem:
        raise DomainError(problem)
    stance = _stance(stance)
    if stance is not None and (not kind.takes_stance or parent is not None):
        raise DomainError(_l("Una posizione si prende solo commentando una proposta, non nelle risposte."),
                          field="stance")
    source, html = _body(body)
    comment = Comment(author_id=actor.id, body=source, body_html=html, stance=stance, **{kind.column: about.id})
    if parent is not None:
        comment.parent_id = parent.id
        comment.root_id = parent.root_id or parent.id
        comment.depth = parent.depth + 1
    db.session.add(comment)
    db.session.flush()
    signals.comment_posted.send(comment)
    return comment


def edit_comment(actor, comment, body, now=None):
    """Its author changes the text within EDIT_WINDOW_MINUTES; the comment shows it was edited."""
    if not is_authenticated(actor) or comment.author_id != actor.id:
        raise NotAllowed(_l("Puoi modificare solo i tuoi commenti."))
    if not comment.is_visible:
        raise DomainError(_l("Un commento eliminato o nascosto non si modifica."))
    if not permissions.can_edit_comment(actor, comment, now=now):
        raise DomainError(_l("Un commento si può modificare solo entro %(n)d minuti dalla pubblicazione.",
                             n=EDIT_WINDOW_MINUTES), field="body")
    ensure_not_blocked(actor)
    source, html = _body(body)
    if source != comment.body:
        comment.body, comment.body_html = source, html
        comment.edited_at = now or utcnow()
        db.session.flush()
    return comment


def delete_comment(actor, comment):
    """Its author deletes it: the text leaves the pages, a placeholder keeps the replies in place."""
    if not is_authenticated(actor) or comment.author_id != actor.id:
        raise NotAllowed(_l("Puoi eliminare solo i tuoi commenti."))
    if comment.deleted_at is not None:
        raise DomainError(_l("Questo commento è già stato eliminato."))
    comment.deleted_at = utcnow()
    db.session.flush()
    return comment


def _lock_comment(comment):
    """Serialise counter changes on the comment's row (FOR UPDATE on PostgreSQL)."""
    query = sa.select(Comment).where(Comment.id == comment.id)
    if db.session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def vote(actor, comment, value):
    """`actor` votes a comment up (1) or down (-1), or cancels the vote (0). One vote per person;
    voting again changes it. Not on one's own comments. Returns the comment, counters fresh."""
    if value not in VOTE_VALUES:
        raise DomainError(_l("Voto non valido."))
    if not permissions.can_comment(actor):
        raise NotAllowed(_l("Conferma il tuo indirizzo email per votare i commenti."))
    if comment.author_id == actor.id:
        raise DomainError(_l("Non puoi votare un tuo commento."))
    if not comment.is_visible:
        raise DomainError(_l("Non si vota un commento eliminato o nascosto."))
    problem = discussion_problem(target_of(comment)[1])
    if problem:
        raise DomainError(problem)
    comment = _lock_comment(comment)
    existing = db.session.scalar(
        sa.select(CommentVote).where(CommentVote.comment_id == comment.id, CommentVote.user_id == actor.id)
    )
    before = existing.value if existing is not None else 0
    if before == value:
        return comment
    if existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(CommentVote(comment_id=comment.id, user_id=actor.id, value=value))
        except IntegrityError:
            raise DomainError(_l("Il tuo voto è già stato registrato.")) from None
    elif value == 0:
        db.session.delete(existing)
    else:
        existing.value = value
    up = (value == 1) - (before == 1)
    down = (value == -1) - (before == -1)
    comment.upvotes = Comment.upvotes + up
    comment.downvotes = Comment.downvotes + down
    db.session.flush()
    db.session.refresh(comment, ["upvotes", "downvotes"])
    return comment


def vote_of(user, comment):
    """`user`'s vote on `comment`: 1, -1 or 0."""
    if not is_authenticated(user):
        return 0
    return db.session.scalar(
        sa.select(CommentVote.value).where(CommentVote.comment_id == comment.id, CommentVote.user_id == user.id)
    ) or 0


# ---- reports and moderation (the reports and the log are moderation's) ---------------------

def report_comment(actor, comment, reason):
    """`actor` reports a visible comment to its moderators (moderation.services.report)."""
    if not comment.is_visible:
        raise DomainError(_l("Questo commento non è visibile: non serve segnalarlo."))
    return moderation.report(actor, comment, reason)


def hide_comment(actor, comment, reason):
    """A moderator hides a comment; its placeholder says it was moderated (the reason is logged)."""
    if not permissions.can_moderate_comment(actor, comment):
        raise NotAllowed(_l("Non puoi moderare questo commento."))
    reason = moderation.clean_reason(reason)
    if comment.hidden_by_id is not None:
        raise DomainError(_l("Questo commento è già nascosto."))
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    moderation.log(actor, "hide_comment", reason, content=comment, user=comment.author)
    db.session.flush()
    return comment


def restore_comment(actor, comment, reason):
    if not permissions.can_moderate_comment(actor, comment):
        raise NotAllowed(_l("Non puoi moderare questo commento."))
    reason = moderation.clean_reason(reason)
    if comment.hidden_at is None:
        raise DomainError(_l("Questo commento è visibile."))
    comment.hidden_at = None
    comment.hidden_by_id = None
    comment.hidden_reason = ""
    moderation.log(actor, "restore_comment", reason, content=comment, user=comment.author)
    db.session.flush()
    return comment
