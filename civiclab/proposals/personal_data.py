"""A user's proposals and supports: their sections of the data export, and what account deletion
does to them (added to the export and to account deletion by `connect()`)."""
import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from civiclab.accounts.services import export_section
from civiclab.core import signals
from civiclab.core.time import isoformat
from civiclab.extensions import db
from civiclab.proposals import attachments
from civiclab.proposals.models import (
    Attachment,
    Call,
    CallTheme,
    Proposal,
    ProposalState,
    Support,
    UploadRecord,
)
from civiclab.proposals.permissions import can_view_proposal

# Never published: only the author and the call's moderators ever read them.
UNPUBLISHED_STATES = (ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED,
                      ProposalState.REJECTED)


def connect():
    """Add the proposals' sections to every user's data export, and their part of account deletion
    (called by the domain's connect())."""
    for name, section in (("proposals", export_proposals), ("proposal_attachments", export_attachments),
                          ("upload_records", export_upload_records), ("supports", export_supports)):
        export_section(name)(section)
    signals.connect_listeners([(signals.user_deleted, on_user_deleted)])


def export_proposals(user):
    """Every proposal of `user`, with its history (two queries: proposals, their transitions)."""
    proposals = db.session.execute(
        sa.select(Proposal, Call.title, CallTheme.name)
        .join(Call, Proposal.call_id == Call.id)
        .outerjoin(CallTheme, Proposal.theme_id == CallTheme.id)
        .where(Proposal.author_id == user.id)
        .options(selectinload(Proposal.transitions))
        .order_by(Proposal.created_at, Proposal.id)
    ).all()
    return [
        {
            "id": proposal.id,
            "call_id": proposal.call_id,
            "call": call_title,
            "title": proposal.title,
            "body": proposal.body,
            "theme": theme_name,
            "place": proposal.place,
            "state": proposal.state.value,
            "hidden": proposal.hidden_at is not None,
            "supports": proposal.supports_count,
            "created_at": isoformat(proposal.created_at),
            "updated_at": isoformat(proposal.updated_at),
            "submitted_at": isoformat(proposal.submitted_at),
            "published_at": isoformat(proposal.published_at),
            "transitions": [
                {"from": step.from_state, "to": step.to_state, "reason": step.reason,
                 "by_you": step.actor_id == user.id, "at": isoformat(step.created_at),
                 **({"version_then": step.snapshot} if step.snapshot else {})}
                for step in proposal.transitions
            ],
        }
        for proposal, call_title, theme_name in proposals
    ]


def export_attachments(user):
    """The files attached to `user`'s proposals (names and sizes; the files are on the pages)."""
    rows = db.session.scalars(
        sa.select(Attachment).join(Proposal, Attachment.proposal_id == Proposal.id)
        .where(Proposal.author_id == user.id)
        .order_by(Attachment.id)
    )
    return [
        {"proposal_id": a.proposal_id, "filename": a.filename, "content_type": a.content_type,
         "size": a.size, "created_at": isoformat(a.created_at)}
        for a in rows
    ]


def export_upload_records(user):
    """When `user` attached files and how large they were (the daily upload quota counts them)."""
    rows = db.session.scalars(sa.select(UploadRecord).where(UploadRecord.user_id == user.id)
                              .order_by(UploadRecord.id))
    return [{"size": record.size, "created_at": isoformat(record.created_at)} for record in rows]


def export_supports(user):
    """The proposals `user` supports (one query). A proposal they may no longer see (hidden,
    withdrawn) is named by its id alone."""
    supports = db.session.execute(
        sa.select(Support, Proposal)
        .join(Proposal, Support.proposal_id == Proposal.id)
        .join(Proposal.call)
        .options(contains_eager(Proposal.call).lazyload(Call.themes))
        .where(Support.user_id == user.id)
        .order_by(Support.created_at, Support.id)
    ).all()
    return [
        {"proposal_id": proposal.id,
         "proposal": proposal.title if can_view_proposal(user, proposal) else None,
         "created_at": isoformat(support.created_at)}
        for support, proposal in supports
    ]


def on_user_deleted(user, **_extra):
    """Published proposals stay, with the discussion around them, under the deleted account's
    name ("Utente eliminato"); proposals nobody but the author and the moderators ever read
    (drafts, in review, changes requested, rejected) are deleted with their attachments; the
    database drops their history, comments, reports and follows (ON DELETE CASCADE).

    Supports stay counted: supports_count is a denormalised counter and a support says nothing
    about its author once the account is anonymised, so the row stays (anonymous) and the
    proposals keep the count they had.
    """
    unpublished = (Proposal.author_id == user.id, Proposal.state.in_(UNPUBLISHED_STATES))
    stored_names = list(db.session.scalars(
        sa.select(Attachment.stored_name).join(Proposal, Attachment.proposal_id == Proposal.id)
        .where(*unpublished)))
    db.session.execute(sa.delete(Proposal).where(*unpublished).execution_options(synchronize_session="fetch"))
    db.session.execute(sa.delete(UploadRecord).where(UploadRecord.user_id == user.id))
    db.session.flush()
    for name in stored_names:
        attachments.remove(name)
