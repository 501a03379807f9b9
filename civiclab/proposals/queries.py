"""Reading calls and proposals: the loaders of their pages (`load_call`, `load_proposal`), the
lists with their sorts and filters, the open calls of the home page, a project's or lab's calls,
similar proposals, a participant's own proposals.

Lists load what their cards show (author, theme, city) in the same query, so a page costs the
same number of queries whatever the number of rows.
"""
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from civiclab.accounts.models import User
from civiclab.core.pagination import Key, keyset_page
from civiclab.core.permissions import is_admin, is_authenticated, require
from civiclab.core.sanitize import text_diff_html
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.places.models import City, CityStaff, Lab, LabFacilitator
from civiclab.programmes.models import Project
from civiclab.proposals.fulltext import matching_proposal_ids
from civiclab.proposals.models import (
    PUBLIC_STATES,
    Call,
    CallPhase,
    Proposal,
    ProposalState,
    ProposalTransition,
)
from civiclab.proposals.permissions import (
    can_edit_call,
    can_view_call,
    can_view_proposal,
    is_author,
)

# The random order is a permutation of ids: (id * a + b) mod a prime, with (a, b) the visitor's.
RANDOM_PRIME = 1_000_003


# ---- the pages' loaders ---------------------------------------------------------------------

# What each page of a call asks of the signed-in person, besides seeing it.
CALL_PURPOSES = {
    "view": None,
    "manage": can_edit_call,  # edit, publish, withdraw the publication
}


def visible_call(call_id, viewer):
    """The call if `viewer` may see it, else None: an unpublished call does not exist for whoever
    does not prepare it."""
    call = db.session.scalars(call_select(call_id)).first()
    return call if call is not None and can_view_call(viewer, call) else None


def load_call(call_id, for_="view"):
    """The call for the signed-in person's page, or 404 (`visible_call`); "manage": 403 unless
    they manage it."""
    call = visible_call(call_id, current_user)
    if call is None:
        abort(404)
    allowed = CALL_PURPOSES[for_]
    if allowed is not None:
        require(allowed(current_user, call))
    return call


# What each page of a proposal asks of the signed-in person, besides seeing it.
PROPOSAL_PURPOSES = {
    "view": None,
    "edit": is_author,  # whether it is still editable is the page's to say
    "submit": is_author,
    "withdraw": is_author,  # whether it may still be withdrawn, too
}


def load_proposal(proposal_id, for_="view"):
    """The proposal for the signed-in person's page, or 404 (a draft, or a proposal in review, does
    not exist for others); "edit", "submit", "withdraw": 403 unless they wrote it."""
    proposal = db.session.scalars(proposal_select(proposal_id)).first()
    if proposal is None or not can_view_proposal(current_user, proposal):
        abort(404)
    allowed = PROPOSAL_PURPOSES[for_]
    if allowed is not None:
        require(allowed(current_user, proposal))
    return proposal


# ---- calls ---------------------------------------------------------------------------------

def _with_city(query):
    return query.join(Call.city).options(contains_eager(Call.city), joinedload(Call.project), joinedload(Call.lab))


def calls_select(viewer, city_id=None):
    """Published calls (and the unpublished ones `viewer` may edit), the most recently opened first."""
    query = _with_city(sa.select(Call))
    if not is_admin(viewer):
        editable = list(viewer.staff_city_ids) if is_authenticated(viewer) else []
        query = query.where(sa.or_(Call.published.is_(True), Call.city_id.in_(editable or [-1])))
    if city_id:
        query = query.where(Call.city_id == city_id)
    return query.order_by(Call.proposals_from.desc(), Call.id.desc())


def call_select(call_id):
    return _with_city(sa.select(Call)).where(Call.id == call_id)


def in_phase(phase, now):
    """A condition: the call is in `phase` (a CallPhase) at `now` (Call.phase_at, said in SQL)."""
    starts, ends = {
        CallPhase.UPCOMING: (None, Call.proposals_from),
        CallPhase.PROPOSALS: (Call.proposals_from, Call.review_from),
        CallPhase.REVIEW: (Call.review_from, Call.supports_from),
        CallPhase.SUPPORTS: (Call.supports_from, Call.closes_at),
        CallPhase.CLOSED: (Call.closes_at, None),
    }[phase]
    return sa.and_(*([starts <= now] if starts is not None else []), *([now < ends] if ends is not None else []))


def is_open(now):
    """A condition: the call takes proposals or supports at `now` (the home page's open calls)."""
    return sa.or_(in_phase(CallPhase.PROPOSALS, now), in_phase(CallPhase.SUPPORTS, now))


def open_calls(limit=4, now=None):
    """Published calls taking proposals or supports now, the ones closing first on top (home page)."""
    now = now or utcnow()
    query = (_with_city(sa.select(Call))
             .where(Call.published.is_(True), is_open(now))
             .order_by(Call.closes_at, Call.id).limit(limit))
    return db.session.scalars(query).unique().all()


def published_calls_of(project=None, lab=None):
    """The published calls on a project or run by a lab (their pages link them)."""
    query = sa.select(Call).where(Call.published.is_(True))
    if project is not None:
        query = query.where(Call.project_id == project.id)
    if lab is not None:
        query = query.where(Call.lab_id == lab.id)
    return db.session.scalars(query.order_by(Call.proposals_from.desc(), Call.id.desc())).all()


def project_calls(project):
    """The project page's "calls" section: its published calls."""
    return published_calls_of(project=project)


def city_choices():
    return db.session.execute(sa.select(City.id, City.slug, City.name).order_by(City.name)).all()


def city_projects(city_id):
    return db.session.scalars(sa.select(Project).where(Project.city_id == city_id)
                              .order_by(Project.code)).all()


def city_labs(city_id):
    return db.session.scalars(sa.select(Lab).where(Lab.city_id == city_id).order_by(Lab.name)).all()


def managed_cities(user):
    """The cities whose calls `user` may open: staff's cities, every city for administrators."""
    if not is_authenticated(user):
        return []
    query = sa.select(City).order_by(City.name)
    if not is_admin(user):
        query = query.where(City.id.in_(user.staff_city_ids or {-1}))
    return db.session.scalars(query).all()


# ---- proposals -----------------------------------------------------------------------------

@dataclass
class ProposalFilters:
    sort: str = "recenti"  # recenti | sostegni | commenti | casuale
    theme_id: int | None = None
    text: str = ""
    seed: tuple[int, int] = (1, 0)  # the visitor's (a, b) for the random order


def new_random_seed():
    """A visitor's random order: a multiplier (not a multiple of the prime) and an offset."""
    return [1 + secrets.randbelow(RANDOM_PRIME - 1), secrets.randbelow(RANDOM_PRIME)]


def valid_seed(value):
    """The seed kept in the session, if it is one we could have made."""
    if (isinstance(value, list) and len(value) == 2 and all(isinstance(n, int) for n in value)
            and 0 < value[0] < RANDOM_PRIME and 0 <= value[1] < RANDOM_PRIME):
        return tuple(value)
    return None


def _public(query):
    return query.where(Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None))


def order_keys(filters):
    """The list's order as keyset keys (core/pagination.py), the id last so every row has its place."""
    if filters.sort == "sostegni":
        return [Key(Proposal.supports_count, True), Key(Proposal.id, True)]
    if filters.sort == "commenti":
        return [Key(Proposal.comments_count, True), Key(Proposal.id, True)]
    if filters.sort == "casuale":
        a, b = filters.seed
        # BIGINT: id * a overflows PostgreSQL's INTEGER; SQLite's integers are 64-bit anyway.
        key = (sa.cast(Proposal.id, sa.BigInteger) * a + b) % RANDOM_PRIME
        return [Key(key, value_of=lambda proposal: (proposal.id * a + b) % RANDOM_PRIME), Key(Proposal.id)]
    return [Key(Proposal.published_at, True), Key(Proposal.id, True)]


def proposals_select(call, filters):
    """The public proposals of `call` (accepted and adopted, not hidden) for its page, unordered:
    `order_keys(filters)` orders them, a page at a time."""
    return public_proposals_select(filters, sa.select(Proposal).where(Proposal.call_id == call.id))


def public_proposals_select(filters, query=None):
    """The public proposals (accepted and adopted, not hidden) of `query` (every proposal by
    default), with the filters' theme and words; authors and themes joined."""
    query = _public(sa.select(Proposal) if query is None else query).options(
        joinedload(Proposal.author), joinedload(Proposal.theme))
    if filters.theme_id:
        query = query.where(Proposal.theme_id == filters.theme_id)
    matches = matching_proposal_ids(filters.text) if filters.text else None
    if matches is not None:
        # A filter: which ones match, not how well (no rank to compute for each of them).
        query = query.where(Proposal.id.in_(sa.select(matches.order_by(None).subquery().c.id)))
    return query


def proposals_page(call, filters, per_page):
    """A keyset page of the call's public proposals, with how many there are in all: the call's
    counter when nothing filters them, else a count of the filtered ones."""
    query = proposals_select(call, filters)
    if filters.theme_id or filters.text:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(
            query.with_only_columns(Proposal.id).options().subquery()))
    else:
        total = call.public_proposals_count
    return keyset_page(db.session, query, order_keys(filters), list_name=f"call-{call.id}",
                       order_name=_order_name(filters), per_page=per_page, total=total)


def _order_name(filters):
    """What a cursor belongs to: the order and its filters (a cursor of another list is refused)."""
    seed = ",".join(map(str, filters.seed)) if filters.sort == "casuale" else ""
    return f"{filters.sort}|{filters.theme_id or ''}|{filters.text}|{seed}"


def proposal_select(proposal_id):
    return (sa.select(Proposal).where(Proposal.id == proposal_id)
            .options(joinedload(Proposal.call).joinedload(Call.city), joinedload(Proposal.author),
                     joinedload(Proposal.theme), joinedload(Proposal.lab), selectinload(Proposal.attachments)))


def history(proposal):
    """Every recorded transition with who made it, oldest first."""
    return db.session.scalars(
        sa.select(ProposalTransition).where(ProposalTransition.proposal_id == proposal.id)
        .options(joinedload(ProposalTransition.actor).lazyload("*")).order_by(ProposalTransition.id)  # names only
    ).all()


def pending_change_request(proposal):
    """The facilitators' request its author has still to answer (the latest one, with who asked),
    or None when the proposal is not waiting for changes."""
    if proposal.state is not ProposalState.CHANGES_REQUESTED:
        return None
    return latest_change_request(proposal)


def latest_change_request(proposal):
    """The latest change request made on `proposal`, whatever happened since, or None."""
    return db.session.scalars(
        sa.select(ProposalTransition)
        .where(ProposalTransition.proposal_id == proposal.id,
               ProposalTransition.to_state == ProposalState.CHANGES_REQUESTED.value)
        .options(joinedload(ProposalTransition.actor)).order_by(ProposalTransition.id.desc()).limit(1)
    ).first()


def call_moderators(call):
    """Who moderates `call` by their role (see permissions.can_moderate_call): the facilitators of
    its lab (of every lab of its city when it names none) and its city's staff. Administrators,
    who may moderate every call, are not listed: they are not the call's team."""
    labs = [call.lab_id] if call.lab_id is not None else sa.select(Lab.id).where(Lab.city_id == call.city_id)
    facilitators = sa.select(LabFacilitator.user_id).where(LabFacilitator.lab_id.in_(labs))
    staff = sa.select(CityStaff.user_id).where(CityStaff.city_id == call.city_id)
    return db.session.scalars(
        sa.select(User).where(sa.or_(User.id.in_(facilitators), User.id.in_(staff))).order_by(User.id)
    ).all()


# What a facilitator compares in a resubmitted proposal, in the order shown.
COMPARED_PARTS = (("title", _l("Titolo")), ("theme", _l("Tema")), ("body", _l("Testo")))


def resubmission_changes(proposal):
    """For a proposal sent again after a change request: [(label, diff HTML)] of each part that
    changed since the facilitator asked (an empty list when nothing did); None otherwise."""
    if proposal.state is not ProposalState.SUBMITTED:
        return None
    asked = latest_change_request(proposal)
    if asked is None or not asked.snapshot:
        return None
    before, now = asked.snapshot, proposal.snapshot()
    return [(label, text_diff_html(before.get(part, ""), now[part]))
            for part, label in COMPARED_PARTS if (before.get(part) or "") != now[part]]


SIMILAR_LIMIT = 5
SIMILAR_CANDIDATES = 200  # matches of every call, ranked, before keeping this call's public ones


def similar_proposals(call, text, exclude_id=None):
    """Up to five public proposals of `call` whose title or body share words with `text`, the
    best match first (two queries: ranked ids, then the proposals)."""
    matches = matching_proposal_ids(text, any_word=True, limit=SIMILAR_CANDIDATES)
    if matches is None:
        return []
    ranked = [row.id for row in db.session.execute(matches)]
    if not ranked:
        return []
    query = _public(sa.select(Proposal.id, Proposal.title)).where(
        Proposal.call_id == call.id, Proposal.id.in_(ranked))
    if exclude_id:
        query = query.where(Proposal.id != exclude_id)
    position = {proposal_id: n for n, proposal_id in enumerate(ranked)}
    rows = sorted(db.session.execute(query), key=lambda row: position[row.id])
    return rows[:SIMILAR_LIMIT]


def my_proposals_select(user):
    """`user`'s proposals of every state, the last changed first, with their call."""
    return (sa.select(Proposal).where(Proposal.author_id == user.id)
            .options(joinedload(Proposal.call), joinedload(Proposal.theme))
            .order_by(Proposal.updated_at.desc(), Proposal.id.desc()))


def last_reasons(proposals):
    """proposal id -> the last reason a facilitator (or the author) gave, in one query."""
    ids = [proposal.id for proposal in proposals]
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(ProposalTransition.proposal_id, ProposalTransition.reason)
        .where(ProposalTransition.proposal_id.in_(ids), ProposalTransition.reason != "")
        .order_by(ProposalTransition.id)
    )
    return {proposal_id: reason for proposal_id, reason in rows}
