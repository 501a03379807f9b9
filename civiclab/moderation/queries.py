"""Reading what moderators work on: the proposal queue of the calls they moderate, open reports
grouped by content, active blocks and the log.

The SQL filter on calls repeats `proposals.permissions.can_moderate_call` (the same rule, said in
SQL so a page of the queue is one query); tests check both agree.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from civiclab.accounts.blocks import UserBlock
from civiclab.accounts.models import User
from civiclab.core.permissions import is_admin, require
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.moderation.models import ModerationAction, Report
from civiclab.moderation.permissions import (
    BLOCK_ACTIONS,
    can_lift_block,
    can_moderate_anything,
    can_moderate_content,
    can_report,
    moderated_city_ids,
)
from civiclab.moderation.reportable import reportable
from civiclab.places.models import Lab
from civiclab.proposals.models import Call, Proposal, ProposalState, ProposalTransition
from civiclab.proposals.permissions import can_moderate_proposal
from civiclab.proposals.queries import load_proposal

# The states a moderator's queue shows, in the order of the counts.
QUEUE_STATES = (
    ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED, ProposalState.ACCEPTED,
    ProposalState.REJECTED, ProposalState.WITHDRAWN, ProposalState.ADOPTED,
)


def _person(relationship):
    """Load a related user for their name, without their roles (a user's roles load by default)."""
    return joinedload(relationship).options(lazyload(User.staff_roles), lazyload(User.facilitator_roles))


def _author(relationship):
    """Load a content's author with their roles (whether they may be blocked), in batches."""
    return joinedload(relationship).options(selectinload(User.staff_roles), selectinload(User.facilitator_roles))


def moderated_calls_clause(user):
    """SQL: the calls `user` moderates (see `can_moderate_call`)."""
    if is_admin(user):
        return sa.true()
    lab_ids = user.facilitated_lab_ids
    clauses = []
    if user.staff_city_ids:
        clauses.append(Call.city_id.in_(user.staff_city_ids))
    if lab_ids:
        clauses.append(Call.lab_id.in_(lab_ids))
        # A call that names no lab is moderated by the facilitators of any lab of its city.
        clauses.append(sa.and_(Call.lab_id.is_(None),
                               Call.city_id.in_(sa.select(Lab.city_id).where(Lab.id.in_(lab_ids)))))
    return sa.or_(*clauses) if clauses else sa.false()


@dataclass
class QueueFilters:
    call_id: int | None = None
    state: ProposalState | None = ProposalState.SUBMITTED  # None: every state of the queue
    theme_id: int | None = None


def _queue_where(user, filters, with_state=True):
    conditions = [moderated_calls_clause(user), Proposal.state.in_(QUEUE_STATES)]
    if filters.call_id:
        conditions.append(Proposal.call_id == filters.call_id)
    if filters.theme_id:
        conditions.append(Proposal.theme_id == filters.theme_id)
    if with_state and filters.state is not None:
        conditions.append(Proposal.state == filters.state)
    return conditions


def queue_select(user, filters):
    """The proposals of the calls `user` moderates, oldest submission first, each with its call,
    author and theme in the same query."""
    return (
        sa.select(Proposal).join(Proposal.call).where(*_queue_where(user, filters))
        .options(contains_eager(Proposal.call).lazyload(Call.themes), joinedload(Proposal.theme),
                 _person(Proposal.author))
        .order_by(Proposal.submitted_at, Proposal.id)
    )


def queue_counts(user, filters):
    """{state: number} for the queue's tabs (the call and theme filters apply, the state does not)."""
    rows = db.session.execute(
        sa.select(Proposal.state, sa.func.count(Proposal.id)).join(Proposal.call)
        .where(*_queue_where(user, filters, with_state=False)).group_by(Proposal.state)
    ).all()
    counts = dict.fromkeys(QUEUE_STATES, 0)
    counts.update({state: number for state, number in rows})
    return counts


def waiting_count_column(user):
    """How many submitted proposals wait for `user`'s decision, as a SQL expression: the header's
    "moderation" counter, selected with the other counters (None, that is 0, for who moderates
    nothing)."""
    if not can_moderate_anything(user):
        return None
    return (sa.select(sa.func.count(Proposal.id)).join(Proposal.call)
            .where(moderated_calls_clause(user), Proposal.state == ProposalState.SUBMITTED).scalar_subquery())


def waiting_count(user):
    """How many submitted proposals wait for `user`'s decision (one query; none for who
    moderates nothing)."""
    column = waiting_count_column(user)
    return 0 if column is None else db.session.scalar(sa.select(column)) or 0


def moderated_calls(user):
    """The calls `user` moderates, newest first, with their themes (for the filters)."""
    return db.session.scalars(
        sa.select(Call).where(moderated_calls_clause(user)).order_by(Call.proposals_from.desc(), Call.id.desc())
    ).all()


def proposal_for_decision(proposal_id):
    """A proposal with everything the decision page shows: call, author, theme, lab, attachments,
    and its history with who made each move."""
    return (
        sa.select(Proposal).where(Proposal.id == proposal_id)
        .options(joinedload(Proposal.call), _person(Proposal.author), joinedload(Proposal.theme),
                 joinedload(Proposal.lab), selectinload(Proposal.attachments),
                 selectinload(Proposal.transitions).options(_person(ProposalTransition.actor)))
    )


# ---- reports -------------------------------------------------------------------------------

@dataclass
class ReportedContent:
    """The open reports of one comment, proposal or room message."""

    reportable: object  # its Reportable (moderation/reportable.py)
    target: object
    reports: list = field(default_factory=list)

    @property
    def kind(self):
        """The queue's word for it, in its URL and its form's prefix ("commento", …)."""
        return self.reportable.name

    @property
    def is_comment(self):
        return self.kind == "commento"

    @property
    def is_message(self):
        return self.kind == "messaggio"

    @property
    def key(self):
        return f"{self.kind}-{self.target.id}"

    @property
    def url(self):
        return self.reportable.url(self.target)

    @property
    def reporters_count(self):
        return len({report.reporter_id for report in self.reports})

    @property
    def is_pending_review(self):
        """Hidden by the reports, waiting for a moderator (a room message never is)."""
        return self.reportable.hidden_by_reports and self.reportable.pending_review(self.target)


def _contents(model, person):
    """Loader options for the reportable contents `model` (Report, ModerationAction) names: each
    with its author (loaded by `person`) and what its kind reads."""
    return [joinedload(getattr(model, kind.relationship)).options(person(kind.model.author), *kind.loads())
            for kind in reportable.values() if hasattr(model, kind.relationship)]


def open_reported_contents(user):
    """The contents with open reports that `user` may moderate, the longest waiting first.

    Two queries whatever the number of reports: the reports with their reporter and content
    (with its author, and what its kind reads to say who moderates it), then the viewer's labs.
    Permissions are checked in Python with the domains' own functions.
    """
    reports = db.session.scalars(
        sa.select(Report).where(Report.resolved_at.is_(None)).order_by(Report.created_at, Report.id)
        .options(_person(Report.reporter), *_contents(Report, _author))
    ).unique().all()
    grouped = {}
    for report in reports:
        kind = next(kind for kind in reportable.values() if getattr(report, kind.column) is not None)
        target = getattr(report, kind.relationship)
        key = (kind.name, target.id)
        if key not in grouped:
            grouped[key] = ReportedContent(kind, target)
        grouped[key].reports.append(report)
    if grouped and not is_admin(user) and user.facilitated_lab_ids:
        # The facilitator's labs in one query, for the rule on project comments and calls
        # without a lab (`role.lab` then comes from the session).
        db.session.scalars(sa.select(Lab).where(Lab.id.in_(user.facilitated_lab_ids))).all()
    return [content for content in grouped.values() if can_moderate_content(user, content.target)]


class ListPagination(Pagination):
    """A page of a list already in memory (`items=`), with the same attributes as db.paginate's."""

    def _query_items(self):
        return self._query_args["items"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self):
        return len(self._query_args["items"])


# ---- blocks and the log --------------------------------------------------------------------

def active_blocks_select(now=None):
    """Blocks in force, those ending soonest first (forever last)."""
    now = now or utcnow()
    return (
        sa.select(UserBlock)
        .where(UserBlock.lifted_at.is_(None), sa.or_(UserBlock.ends_at.is_(None), UserBlock.ends_at > now))
        .options(_person(UserBlock.user), _person(UserBlock.blocked_by), joinedload(UserBlock.city))
        .order_by(UserBlock.ends_at.is_(None), UserBlock.ends_at, UserBlock.id)
    )


def _log_clause(user):
    """SQL: log entries `user` may read (`permissions.can_read_log_entry`): every block and its
    lifting (a block applies in every city), and the entries of the cities they moderate. The
    city is stored on the entry, so it still holds once the content or its author is deleted."""
    cities = moderated_city_ids(user)
    clauses = [ModerationAction.action.in_(BLOCK_ACTIONS)]
    if cities:
        clauses.append(ModerationAction.city_id.in_(cities))
    return sa.or_(*clauses)


def cities_where_active(user):
    """The ids of the cities where `user` wrote something moderators see: a proposal, a comment
    or a room message (one query)."""
    union = sa.union(*(select for kind in reportable.values() for select in kind.author_city_ids(user)))
    return set(db.session.scalars(sa.select(union.subquery().c[0])).all())


def log_select(user):
    """The moderation actions `user` may read, newest first, with their actor and target."""
    query = (
        sa.select(ModerationAction)
        .options(_person(ModerationAction.actor), _person(ModerationAction.target_user),
                 *_contents(ModerationAction, _person))
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    )
    return query if is_admin(user) else query.where(_log_clause(user))


def decisions_select(user):
    """The moderators' decisions on proposals of the calls `user` moderates, newest first."""
    return (
        sa.select(ProposalTransition).join(ProposalTransition.proposal).join(Proposal.call)
        .where(moderated_calls_clause(user),
               ProposalTransition.to_state.in_([s.value for s in (ProposalState.ACCEPTED, ProposalState.REJECTED,
                                                                  ProposalState.CHANGES_REQUESTED,
                                                                  ProposalState.ADOPTED)]))
        .options(_person(ProposalTransition.actor),
                 contains_eager(ProposalTransition.proposal).contains_eager(Proposal.call).lazyload(Call.themes))
        .order_by(ProposalTransition.created_at.desc(), ProposalTransition.id.desc())
    )


# ---- loaders: 404 when it is not there (for the reader), 403 when it is not theirs to act on --

def load_proposal_for_decision(proposal_id):
    """A proposal for its decision page (`proposal_for_decision`), for who moderates its call."""
    proposal = db.first_or_404(proposal_for_decision(proposal_id))
    if proposal.state is ProposalState.DRAFT:
        abort(404)  # a draft is its author's alone
    require(can_moderate_proposal(current_user, proposal))
    return proposal


def load_proposal_to_report(proposal_id):
    """A proposal its reader sees (proposals' loader: else 404), for who may report (else 403)."""
    proposal = load_proposal(proposal_id)
    require(can_report(current_user))
    return proposal


def load_reported(kind, content_id):
    """The content of the queue's `kind` ("commento", "proposta", "messaggio"), for who moderates it."""
    reported = reportable.get(kind)
    content = db.session.get(reported.model, content_id) if reported is not None else None
    if content is None:
        abort(404)
    require(can_moderate_content(current_user, content))
    return content


def load_user_to_block(user_id):
    """A person (not a deleted account) on the block form, for moderators (whether this one may
    block this person is the service's to say, with why)."""
    require(can_moderate_anything(current_user))
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        abort(404)
    return user


def load_block(block_id):
    """A block, for who may lift it."""
    require(can_moderate_anything(current_user))
    block = db.session.get(UserBlock, block_id)
    if block is None:
        abort(404)
    require(can_lift_block(current_user, block))
    return block
