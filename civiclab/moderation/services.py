"""Moderation: reports (three reporters hide content pending review), hiding and restoring
comments, blocking users, and the log every action writes.

A room message can be reported too (rooms.services.report_message checks who may); its reports
only queue it for the room's moderators, nothing is hidden automatically: a room's moderators are
the lab's facilitators, who watch it live, and an upheld report deletes the message (placeholder),
as a moderator's deletion does."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.comments import permissions as comment_permissions
from civiclab.comments.models import Comment
from civiclab.core import signals
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.text import TextProblem, clean_text
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.moderation import permissions, queries
from civiclab.accounts.blocks import UserBlock
from civiclab.moderation.models import REPORTS_TO_HIDE, ModerationAction, Report
from civiclab.proposals import permissions as proposal_permissions
from civiclab.rooms import permissions as room_permissions
from civiclab.rooms.models import Message

REASON_MAX = 2_000


def _reason(reason):
    try:
        reason = clean_text(reason)
    except TextProblem as problem:
        raise DomainError(problem.message, field="reason") from None
    if not reason:
        raise DomainError(_l("Scrivi il motivo."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Il motivo può avere al massimo %(n)d caratteri.", n=REASON_MAX), field="reason")
    return reason


def log(actor, action, reason="", comment=None, proposal=None, user=None, room=None, city_id=None):
    """Write an entry of the log, with the city whose moderators read it: the comment's,
    proposal's or room's, else `city_id` (a block's)."""
    subject = next((s for s in (comment, proposal, room) if s is not None), None)
    entry = ModerationAction(
        actor_id=actor.id if actor is not None else None, action=action, reason=str(reason or ""),
        comment_id=comment.id if comment is not None else None,
        proposal_id=proposal.id if proposal is not None else None,
        user_id=user.id if user is not None else None,
        room_id=room.id if room is not None else None,
        city_id=queries.city_of(subject) if subject is not None else city_id,
    )
    db.session.add(entry)
    return entry


def _moderates(actor, target):
    if isinstance(target, Comment):
        return comment_permissions.can_moderate_comment(actor, target)
    if isinstance(target, Message):
        return room_permissions.can_moderate_room(actor, target.room)
    return proposal_permissions.can_moderate_proposal(actor, target)


def _report_subject(target):
    """(the reports' column naming `target`, its keyword for Report(...), for log(...))."""
    if isinstance(target, Comment):
        return Report.comment_id, {"comment_id": target.id}, {"comment": target}
    if isinstance(target, Message):
        return Report.room_message_id, {"room_message_id": target.id}, {}
    return Report.proposal_id, {"proposal_id": target.id}, {"proposal": target}


# ---- reports -------------------------------------------------------------------------------

def report(actor, target, reason):
    """`actor` reports a comment, a proposal or a room message. The third different reporter
    hides a comment or a proposal until a moderator decides (a room message waits in the queue).
    Reporting one's own content is refused.

    One report per person and content (the database holds it): reporting again while the first
    report is open answers as the first did and stores nothing, also when two submissions race
    (the loser's insert meets the unique key in a savepoint, as supports do); once moderators
    have decided, reporting again is refused with a message.
    """
    if not proposal_permissions.can_contribute(actor):
        raise NotAllowed(_l("Conferma il tuo indirizzo email per segnalare."))
    reason = _reason(reason)
    if target.author_id == actor.id:
        raise DomainError(_l("Non puoi segnalare un tuo contenuto."))
    column, subject_id, logged = _report_subject(target)
    existing = _report_of(actor, column, target)
    if existing is not None:
        return _reported_again(existing, target)
    entry = Report(reporter_id=actor.id, reason=reason, **subject_id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:  # the same report, sent a moment ago by another request
        return _reported_again(_report_of(actor, column, target), target)
    if isinstance(target, Message):
        return entry
    open_reporters = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Report.reporter_id)))
        .where(column == target.id, Report.resolved_at.is_(None))
    )
    if open_reporters >= REPORTS_TO_HIDE and target.hidden_at is None:
        target.hidden_at = utcnow()
        log(None, "auto_hide", "", **logged)
        db.session.flush()
    return entry


def _report_of(actor, column, target):
    """`actor`'s report of `target`, or None."""
    return db.session.scalar(sa.select(Report).where(column == target.id, Report.reporter_id == actor.id))


def _reported_again(existing, target):
    """A second report of `target` by the same person: a comment or a proposal answers as the
    first did; a room message says so (rooms.services.report_message tells the reporter)."""
    if isinstance(target, Message):
        raise DomainError(_l("Hai già segnalato questo messaggio: i moderatori lo stanno esaminando."))
    if existing.resolved_at is not None:
        raise DomainError(_l("Hai già segnalato questo contenuto e i moderatori hanno già deciso."))
    return existing


def open_reports_query():
    """Reports no moderator has resolved yet, oldest first."""
    return sa.select(Report).where(Report.resolved_at.is_(None)).order_by(Report.created_at, Report.id)


def resolve_reports(actor, target, upheld, reason):
    """A moderator decides on the open reports of `target`: upheld keeps it hidden (hiding it now
    if needed); rejected restores it if the reports had hidden it."""
    if not _moderates(actor, target):
        raise NotAllowed(_l("Non puoi moderare questo contenuto."))
    reason = _reason(reason)
    is_comment = isinstance(target, Comment)
    column, _subject_id, subject = _report_subject(target)
    now = utcnow()
    changed = db.session.execute(
        sa.update(Report).where(column == target.id, Report.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=actor.id, upheld=upheld)
    ).rowcount
    if not changed:
        raise DomainError(_l("Non ci sono segnalazioni aperte su questo contenuto."))
    if isinstance(target, Message):
        return _resolve_message_reports(actor, target, upheld, reason, now, changed)
    if upheld:
        if target.hidden_at is None:
            target.hidden_at = now
        if is_comment:
            target.hidden_by_id = actor.id
            target.hidden_reason = reason
        log(actor, "reports_upheld", reason, **subject)
    else:
        pending = target.hidden_at is not None and (not is_comment or target.hidden_by_id is None)
        if pending:
            target.hidden_at = None
        log(actor, "reports_rejected", reason, **subject)
    db.session.flush()
    return changed


def _resolve_message_reports(actor, message, upheld, reason, now, changed):
    """Upheld: the message is deleted (a placeholder stays), as a moderator's deletion; rejected:
    it stays. Both are logged with the room and the message."""
    if upheld and message.deleted_at is None:
        message.deleted_at = now
        message.deleted_by_id = actor.id
        message.delete_reason = reason
        signals.room_message_deleted.send(message.room, message=message)
    # With the room, so the entry carries its city: that city's moderators read it.
    entry = log(actor, "reports_upheld" if upheld else "reports_rejected", reason, user=message.author,
                room=message.room)
    entry.room_message_id = message.id
    db.session.flush()
    return changed


# ---- comments ------------------------------------------------------------------------------

def hide_comment(actor, comment, reason):
    """A moderator hides a comment; its placeholder says it was moderated (the reason is logged)."""
    if not comment_permissions.can_moderate_comment(actor, comment):
        raise NotAllowed(_l("Non puoi moderare questo commento."))
    reason = _reason(reason)
    if comment.hidden_by_id is not None:
        raise DomainError(_l("Questo commento è già nascosto."))
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    log(actor, "hide_comment", reason, comment=comment, user=comment.author)
    db.session.flush()
    return comment


def restore_comment(actor, comment, reason):
    if not comment_permissions.can_moderate_comment(actor, comment):
        raise NotAllowed(_l("Non puoi moderare questo commento."))
    reason = _reason(reason)
    if comment.hidden_at is None:
        raise DomainError(_l("Questo commento è visibile."))
    comment.hidden_at = None
    comment.hidden_by_id = None
    comment.hidden_reason = ""
    log(actor, "restore_comment", reason, comment=comment, user=comment.author)
    db.session.flush()
    return comment


# ---- blocks --------------------------------------------------------------------------------

def ensure_may_block(actor, user):
    """The cities where `user` is active, or NotAllowed saying why `actor` may not block them."""
    if not permissions.can_block_users(actor):
        raise NotAllowed(_l("Solo facilitatori e Comune possono bloccare utenti."))
    if user.id == actor.id:
        raise NotAllowed(_l("Non puoi bloccare te stesso."))
    active_in = queries.cities_where_active(user)
    if not permissions.can_block_user(actor, user, active_in):
        if permissions.holds_a_role(user):
            raise NotAllowed(_l("Chi ha un ruolo (amministrazione, Comune, facilitazione) può essere bloccato solo "
                                "dall’amministrazione della rete: chiedi a chi ha assegnato il ruolo."))
        raise NotAllowed(_l("Puoi bloccare solo chi partecipa nella tua città."))
    return active_in


def block_user(actor, user, reason, ends_at=None):
    """Block `user` from commenting and proposing until `ends_at` (UTC), or until lifted, in the
    name of a city where they are active (`permissions.can_block_user` says who may)."""
    active_in = ensure_may_block(actor, user)
    reason = _reason(reason)
    if ends_at is not None and ends_at <= utcnow():
        raise DomainError(_l("La fine del blocco deve essere nel futuro."), field="ends_at")
    city_id = permissions.block_city_id(actor, active_in)
    block = UserBlock(user_id=user.id, blocked_by_id=actor.id, reason=reason, ends_at=ends_at, city_id=city_id)
    db.session.add(block)
    log(actor, "block_user", reason, user=user, city_id=city_id)
    db.session.flush()
    signals.user_blocked.send(user, block=block)
    return block


def lift_block(actor, block, reason):
    """Lift `block` (`permissions.can_lift_block` says who may)."""
    if not permissions.can_lift_block(actor, block):
        raise NotAllowed(_l("Possono revocare questo blocco chi l’ha deciso, il Comune della sua città e "
                            "l’amministrazione della rete."))
    reason = _reason(reason)
    if block.lifted_at is not None:
        raise DomainError(_l("Questo blocco è già stato revocato."))
    block.lifted_at = utcnow()
    block.lifted_by_id = actor.id
    log(actor, "lift_block", reason, user=block.user, city_id=block.city_id)
    db.session.flush()
    return block
