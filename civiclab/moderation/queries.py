"""Reading what moderators work on: the proposal queue of the calls they moderate, open reports
grouped by content, active blocks and the log.

The SQL filter on calls repeats `proposals.permissions.can_moderate_call` (the same rule, said in
SQL so a page of the queue is one query); tests check both agree.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from civiclab.accounts.models import User
from civiclab.comments import permissions as comment_permissions
from civiclab.comments.models import Comment
from civiclab.core.permissions import is_admin, is_authenticated
from civiclab.core.time import utcnow
from civiclab.events.models import Event
from civiclab.extensions import db
from civiclab.accounts.blocks import UserBlock
from civiclab.moderation.models import ModerationAction, Report
from civiclab.moderation.permissions import BLOCK_ACTIONS, moderated_city_ids
from civiclab.places.models import Lab
from civiclab.programmes.models import Project
from civiclab.proposals import permissions as proposal_permissions
from civiclab.proposals.models import Call, Proposal, ProposalState, ProposalTransition
from civiclab.rooms.models import Message, Room
from civiclab.rooms.permissions import can_moderate_room

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


def _call(relationship):
    """Load a related call for its rules and title, without its themes."""
    return joinedload(relationship).lazyload(Call.themes)


def moderates_any_call(user):
    """Administrators, municipality staff and facilitators: whoever may have a queue."""
    if not is_authenticated(user):
        return False
    return is_admin(user) or bool(user.staff_city_ids) or bool(user.facilitated_lab_ids)


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


def waiting_count(user):
    """How many submitted proposals wait for `user`'s decision (one query, for the header)."""
    return db.session.scalar(
        sa.select(sa.func.count(Proposal.id)).join(Proposal.call)
        .where(moderated_calls_clause(user), Proposal.state == ProposalState.SUBMITTED)
    ) or 0


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

    target: object  # Comment, Proposal or rooms' Message
    reports: list = field(default_factory=list)

    @property
    def is_comment(self):
        return isinstance(self.target, Comment)

    @property
    def is_message(self):
        return self.reports[0].room_message_id is not None if self.reports else False

    @property
    def kind(self):
        return "commento" if self.is_comment else "messaggio" if self.is_message else "proposta"

    @property
    def key(self):
        return f"{self.kind}-{self.target.id}"

    @property
    def reporters_count(self):
        return len({report.reporter_id for report in self.reports})

    @property
    def is_pending_review(self):
        """Hidden by the reports, waiting for a moderator (a room message never is)."""
        if self.is_message:
            return False
        if self.is_comment:
            return self.target.is_pending_review
        return self.target.hidden_at is not None


def open_reported_contents(user):
    """The contents with open reports that `user` may moderate, the longest waiting first.

    Two queries whatever the number of reports: the reports with their reporter, comment (with
    its author, proposal and call, or project) or proposal (with its author and call), then the
    viewer's labs. Permissions are checked in Python with the domains' own functions.
    """
    reports = db.session.scalars(
        sa.select(Report).where(Report.resolved_at.is_(None)).order_by(Report.created_at, Report.id)
        .options(
            _person(Report.reporter),
            joinedload(Report.comment).options(
                _author(Comment.author), joinedload(Comment.project),
                joinedload(Comment.proposal).options(_call(Proposal.call)),
            ),
            joinedload(Report.proposal).options(_author(Proposal.author), _call(Proposal.call)),
            joinedload(Report.room_message).options(
                _author(Message.author),
                joinedload(Message.room).options(joinedload(Room.event).joinedload(Event.lab),
                                                 joinedload(Room.project), joinedload(Room.lab)),
            ),
        )
    ).unique().all()
    grouped = {}
    for report in reports:
        target = (report.comment if report.comment_id is not None
                  else report.room_message if report.room_message_id is not None else report.proposal)
        key = (type(target), target.id)
        if key not in grouped:
            grouped[key] = ReportedContent(target)
        grouped[key].reports.append(report)
    if grouped and not is_admin(user) and user.facilitated_lab_ids:
        # The facilitator's labs in one query, for the rule on project comments and calls
        # without a lab (`role.lab` then comes from the session).
        db.session.scalars(sa.select(Lab).where(Lab.id.in_(user.facilitated_lab_ids))).all()
    return [content for content in grouped.values() if _may_moderate(user, content)]


class ListPagination(Pagination):
    """A page of a list already in memory (`items=`), with the same attributes as db.paginate's."""

    def _query_items(self):
        return self._query_args["items"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self):
        return len(self._query_args["items"])


def _may_moderate(user, content):
    if content.is_message:
        return can_moderate_room(user, content.target.room)
    if content.is_comment:
        return comment_permissions.can_moderate_comment(user, content.target)
    return proposal_permissions.can_moderate_proposal(user, content.target)


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


def city_of(subject):
    """The city a comment, a proposal or a room belongs to (None if unknown)."""
    if subject is None:
        return None
    if isinstance(subject, Comment):
        if subject.proposal_id is not None:
            return city_of(subject.proposal)
        return subject.project.city_id if subject.project is not None else None
    if isinstance(subject, Proposal):
        return subject.call.city_id if subject.call is not None else None
    if getattr(subject, "room", None) is not None:  # a room message
        return city_of(subject.room)
    return subject.city_id  # a room


def cities_where_active(user):
    """The ids of the cities where `user` wrote something moderators see: a proposal, a comment
    or a room message (one query)."""
    from civiclab.events.models import Event
    from civiclab.rooms.models import Message, Room

    proposals = sa.select(Call.city_id).join(Proposal, Proposal.call_id == Call.id).where(
        Proposal.author_id == user.id)
    proposal_comments = (
        sa.select(Call.city_id).join(Proposal, Proposal.call_id == Call.id)
        .join(Comment, Comment.proposal_id == Proposal.id).where(Comment.author_id == user.id))
    project_comments = sa.select(Project.city_id).join(Comment, Comment.project_id == Project.id).where(
        Comment.author_id == user.id)
    rooms = sa.select(Room.id).join(Message, Message.room_id == Room.id).where(Message.author_id == user.id)
    lab_rooms = sa.select(Lab.city_id).join(Room, Room.lab_id == Lab.id).where(Room.id.in_(rooms))
    project_rooms = sa.select(Project.city_id).join(Room, Room.project_id == Project.id).where(Room.id.in_(rooms))
    event_rooms = (sa.select(Lab.city_id).join(Event, Event.lab_id == Lab.id).join(Room, Room.event_id == Event.id)
                   .where(Room.id.in_(rooms)))
    union = sa.union(proposals, proposal_comments, project_comments, lab_rooms, project_rooms, event_rooms)
    return set(db.session.scalars(sa.select(union.subquery().c[0])).all())


def log_select(user):
    """The moderation actions `user` may read, newest first, with their actor and target."""
    query = (
        sa.select(ModerationAction)
        .options(
            _person(ModerationAction.actor), _person(ModerationAction.target_user),
            joinedload(ModerationAction.comment).options(joinedload(Comment.project), _person(Comment.author)),
            joinedload(ModerationAction.proposal),
        )
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
