"""Moderation: reports (three reporters hide content pending review), moderators' decisions on
them, blocking users, and the log every action writes.

What can be reported is read through moderation/reportable.py: a comment, a proposal, a room
message, each described by the domain that owns it, which calls these services (comments hide and
restore their own comments and log it here). A room message's reports only queue it for the
room's moderators, nothing is hidden automatically: a room's moderators are the lab's
facilitators, who watch it live, and an upheld report deletes the message (placeholder), as a
moderator's deletion does."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.accounts.blocks import UserBlock
from civiclab.core import signals
from civiclab.core.audit import audit
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.kit import REASON_MAX
from civiclab.core.text import TextProblem, clean_text
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.moderation import permissions, queries
from civiclab.moderation.models import REPORTS_TO_HIDE, ModerationAction, Report
from civiclab.moderation.reportable import city_of, kind_of


def clean_reason(reason):
    """The reason of a moderation action or a report, cleaned; a missing or too long one is refused."""
    try:
        reason = clean_text(reason)
    except TextProblem as problem:
        raise DomainError(problem.message, field="reason") from None
    if not reason:
        raise DomainError(_l("Scrivi il motivo."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Il motivo può avere al massimo %(n)d caratteri.", n=REASON_MAX), field="reason")
    return reason


def log(actor, action, reason="", content=None, user=None, room=None, city_id=None):
    """Write an entry of the log, naming a reportable `content` (a comment, a proposal, a room
    message), a `user`, a `room`, with the city whose moderators read it: the content's or the
    room's, else `city_id` (a block's)."""
    entry = ModerationAction(
        actor_id=actor.id if actor is not None else None, action=action, reason=str(reason or ""),
        user_id=user.id if user is not None else None,
        room_id=room.id if room is not None else None,
        city_id=city_of(content) if content is not None else room.city_id if room is not None else city_id,
    )
    if content is not None:
        setattr(entry, kind_of(content).column, content.id)
    db.session.add(entry)
    if actor is not None and action in AUDITED:  # (the automatic hiding is nobody's act)
        subject = content if content is not None else user if action in ON_A_USER else room
        audit(actor, AUDITED[action], subject, city_id=entry.city_id, reason=entry.reason,
              **({"user_id": user.id} if user is not None and subject is not user else {}),
              **({"room_id": room.id} if room is not None and subject is not room else {}))
    return entry


# The moderation log's actions that also go to the audit log, with their audit names (a deleted
# room message is audited by rooms/services.py, which names the message).
AUDITED = {
    "hide_comment": "comment.hidden", "restore_comment": "comment.restored",
    "reports_upheld": "reports.upheld", "reports_rejected": "reports.rejected",
    "block_user": "user.blocked", "lift_block": "user.unblocked",
    "mute_user": "room.user_muted", "lock_room": "room.locked", "unlock_room": "room.unlocked",
}
ON_A_USER = ("block_user", "lift_block", "mute_user")


# ---- reports -------------------------------------------------------------------------------

def report(actor, content, reason):
    """`actor` reports a comment, a proposal or a room message. The third different reporter
    hides content that reports hide until a moderator decides (a room message waits in the
    queue). Reporting one's own content is refused.

    One report per person and content (the database holds it): reporting again while the first
    report is open answers as the first did and stores nothing, also when two submissions race
    (the loser's insert meets the unique key in a savepoint, as supports do); once moderators
    have decided, reporting again is refused with a message (a room message refuses any second
    report).
    """
    if not permissions.can_report(actor):
        raise NotAllowed(_l("Conferma il tuo indirizzo email per segnalare."))
    reason = clean_reason(reason)
    if content.author_id == actor.id:
        raise DomainError(_l("Non puoi segnalare un tuo contenuto."))
    kind = kind_of(content)
    column = getattr(Report, kind.column)
    existing = _report_of(actor, column, content)
    if existing is not None:
        return _reported_again(kind, existing)
    entry = Report(reporter_id=actor.id, reason=reason, **{kind.column: content.id})
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:  # the same report, sent a moment ago by another request
        return _reported_again(kind, _report_of(actor, column, content))
    if not kind.hidden_by_reports:
        return entry
    open_reporters = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Report.reporter_id)))
        .where(column == content.id, Report.resolved_at.is_(None))
    )
    if open_reporters >= REPORTS_TO_HIDE and content.hidden_at is None:
        content.hidden_at = utcnow()
        log(None, "auto_hide", "", content=content)
        db.session.flush()
    return entry


def _report_of(actor, column, content):
    """`actor`'s report of `content`, or None."""
    return db.session.scalar(sa.select(Report).where(column == content.id, Report.reporter_id == actor.id))


def _reported_again(kind, existing):
    """A second report of the same content by the same person: answered as the first was, or
    refused (a room message, or once moderators have decided)."""
    if kind.refuses_second_report:
        raise DomainError(_l("Hai già segnalato questo messaggio: i moderatori lo stanno esaminando."))
    if existing.resolved_at is not None:
        raise DomainError(_l("Hai già segnalato questo contenuto e i moderatori hanno già deciso."))
    return existing


def open_reports_query():
    """Reports no moderator has resolved yet, oldest first."""
    return sa.select(Report).where(Report.resolved_at.is_(None)).order_by(Report.created_at, Report.id)


def resolve_reports(actor, content, upheld, reason):
    """A moderator decides on the open reports of `content`. Upheld: content that reports hide
    stays hidden (hidden now if needed), and its kind does what upholding does (a room message is
    deleted). Rejected: content the reports had hidden is shown again."""
    kind = kind_of(content)
    if not kind.may_moderate(actor, content):
        raise NotAllowed(_l("Non puoi moderare questo contenuto."))
    reason = clean_reason(reason)
    column = getattr(Report, kind.column)
    now = utcnow()
    changed = db.session.execute(
        sa.update(Report).where(column == content.id, Report.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=actor.id, upheld=upheld)
    ).rowcount
    if not changed:
        raise DomainError(_l("Non ci sono segnalazioni aperte su questo contenuto."))
    if upheld:
        if kind.hidden_by_reports and content.hidden_at is None:
            content.hidden_at = now
        if kind.upheld is not None:
            kind.upheld(actor, content, reason, now)
    elif kind.hidden_by_reports and kind.pending_review(content):
        content.hidden_at = None
    log(actor, "reports_upheld" if upheld else "reports_rejected", reason, content=content,
        **kind.logged_with(content))
    db.session.flush()
    return changed


# ---- blocks --------------------------------------------------------------------------------

def ensure_may_block(actor, user):
    """The cities where `user` is active, or NotAllowed saying why `actor` may not block them."""
    if not permissions.can_moderate_anything(actor):
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
    reason = clean_reason(reason)
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
    reason = clean_reason(reason)
    if block.lifted_at is not None:
        raise DomainError(_l("Questo blocco è già stato revocato."))
    block.lifted_at = utcnow()
    block.lifted_by_id = actor.id
    log(actor, "lift_block", reason, user=block.user, city_id=block.city_id)
    db.session.flush()
    return block
