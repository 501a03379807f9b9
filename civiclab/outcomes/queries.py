"""Reading outcomes: the loader of an outcome's pages (`load_outcome`), a project's outcomes as a
tree, a city's outcomes grouped by status, a city's status list, what an outcome links and what a
proposal was adopted in.

A project's tree is one query (every outcome of the project with its status) arranged in Python,
so the project sheet costs the same whatever the number of outcomes.
"""
from dataclasses import dataclass, field
from itertools import groupby

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from civiclab.core.permissions import is_admin, is_authenticated, require
from civiclab.events.models import Event, EventState
from civiclab.extensions import db
from civiclab.outcomes.models import (
    Outcome,
    OutcomeAttachment,
    OutcomeEvent,
    OutcomeProposal,
    OutcomeStatus,
)
from civiclab.outcomes.permissions import can_edit_outcome, can_manage_outcomes, can_view_outcome
from civiclab.places.models import Lab
from civiclab.programmes.models import Project
from civiclab.proposals.models import PUBLIC_STATES, Call, Proposal

CITY_PAGE_SIZE = 50  # outcomes per page of a city's list

# What each page of an outcome asks of the signed-in person, besides seeing it.
OUTCOME_PURPOSES = {
    "view": None,
    "edit": can_edit_outcome,  # edit, link, milestones, attachments, delete
}


def outcome_select(outcome_id):
    return (sa.select(Outcome).where(Outcome.id == outcome_id)
            .options(joinedload(Outcome.project).joinedload(Project.city), joinedload(Outcome.status),
                     joinedload(Outcome.parent)))


def load_outcome(outcome_id, for_="view"):
    """The outcome for the signed-in person's page, or 404 (missing, or a draft / an outcome of a
    draft project they may not edit); "edit": 403 unless they may edit it."""
    outcome = db.session.scalars(outcome_select(outcome_id)).first()
    if outcome is None or not can_view_outcome(current_user, outcome):
        abort(404)
    allowed = OUTCOME_PURPOSES[for_]
    if allowed is not None:
        require(allowed(current_user, outcome))
    return outcome


def visible_outcomes(query, viewer):
    """`query` (of outcomes, joined to their project) narrowed to what `viewer` may see:
    can_view_outcome said in SQL. Published outcomes of published projects; every outcome of the
    cities one manages; all of them for administrators."""
    if is_admin(viewer):
        return query
    public = sa.and_(Outcome.published.is_(True), Project.published.is_(True))
    if is_authenticated(viewer) and viewer.staff_city_ids:
        return query.where(sa.or_(public, Project.city_id.in_(viewer.staff_city_ids)))
    return query.where(public)


# ---- statuses ------------------------------------------------------------------------------

def city_statuses(city_id):
    """The city's status list in its order (empty for a project of no single city)."""
    if city_id is None:
        return []
    return list(db.session.scalars(
        sa.select(OutcomeStatus).where(OutcomeStatus.city_id == city_id)
        .order_by(OutcomeStatus.position, OutcomeStatus.id)))


# ---- a project's tree ----------------------------------------------------------------------

@dataclass
class Node:
    """An outcome in its project's tree, with its children and its depth (0: a root)."""

    outcome: Outcome
    depth: int = 0
    children: list["Node"] = field(default_factory=list)


def project_outcomes(project_id, include_drafts=False):
    """Every outcome of the project with its status, in one query, in tree order."""
    query = (sa.select(Outcome).where(Outcome.project_id == project_id)
             .options(joinedload(Outcome.status)).order_by(Outcome.position, Outcome.id))
    if not include_drafts:
        query = query.where(Outcome.published.is_(True))
    return list(db.session.scalars(query))


def build_tree(outcomes):
    """Roots (Node) of `outcomes` arranged by parent_id; an outcome whose parent is not among them
    (a draft parent hidden from a visitor) is shown as a root."""
    nodes = {outcome.id: Node(outcome) for outcome in outcomes}
    roots = []
    for outcome in outcomes:
        parent = nodes.get(outcome.parent_id)
        (parent.children if parent else roots).append(nodes[outcome.id])

    def set_depth(node, depth):
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    return roots


def flatten(roots):
    """The tree's nodes in reading order (a parent before its children)."""
    found = []

    def walk(node):
        found.append(node)
        for child in node.children:
            walk(child)

    for root in roots:
        walk(root)
    return found


def project_tree(project, viewer=None):
    """The project's outcomes as a flat list of Nodes in tree order (drafts for whoever edits)."""
    viewer = current_user if viewer is None else viewer
    return flatten(build_tree(project_outcomes(project.id, include_drafts=can_manage_outcomes(viewer, project))))


def project_section(project):
    """The project sheet's block (core/sections.py): its outcomes tree and whether the signed-in
    person may add one; None when there is nothing to show."""
    may_manage = can_manage_outcomes(current_user, project)
    nodes = project_tree(project)
    if not nodes and not may_manage:
        return None
    return {"nodes": nodes, "can_manage": may_manage, "project": project}


def descendant_ids(outcome):
    """Ids of the outcome's descendants (one query of the project's (id, parent_id) pairs)."""
    pairs = db.session.execute(sa.select(Outcome.id, Outcome.parent_id)
                               .where(Outcome.project_id == outcome.project_id)).all()
    children = {}
    for child_id, parent_id in pairs:
        children.setdefault(parent_id, []).append(child_id)
    found, todo = set(), [outcome.id]
    while todo:
        for child_id in children.get(todo.pop(), []):
            if child_id not in found:
                found.add(child_id)
                todo.append(child_id)
    return found


def parent_choices(outcome, project):
    """Outcomes of the project that may be `outcome`'s parent: not itself nor a descendant."""
    excluded = set() if outcome is None else {outcome.id} | descendant_ids(outcome)
    nodes = flatten(build_tree(project_outcomes(project.id, include_drafts=True)))
    return [node for node in nodes if node.outcome.id not in excluded]


# ---- an outcome's page ---------------------------------------------------------------------

def children_of(outcome, viewer=None):
    viewer = current_user if viewer is None else viewer
    query = (sa.select(Outcome).where(Outcome.parent_id == outcome.id).options(joinedload(Outcome.status))
             .order_by(Outcome.position, Outcome.id))
    if not can_edit_outcome(viewer, outcome):
        query = query.where(Outcome.published.is_(True))
    return list(db.session.scalars(query))


def adopted_proposals(outcome, public_only=True):
    """The proposals the outcome adopts, with their call (public ones only for the page)."""
    return adopted_proposals_of([outcome.id], public_only=public_only).get(outcome.id, [])


def adopted_proposals_of(outcome_ids, public_only=True):
    """{outcome id: the proposals it adopts, by title, with their call} for several outcomes in
    one query (public ones only, as the outcome's page shows them); an outcome that adopts none
    is not in it."""
    query = (sa.select(OutcomeProposal.outcome_id, Proposal)
             .join(OutcomeProposal, OutcomeProposal.proposal_id == Proposal.id)
             .where(OutcomeProposal.outcome_id.in_(list(outcome_ids)))
             .options(joinedload(Proposal.call)).order_by(Proposal.title, Proposal.id))
    if public_only:
        query = query.where(Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None))
    adopted = {}
    for outcome_id, proposal in db.session.execute(query):
        adopted.setdefault(outcome_id, []).append(proposal)
    return adopted


def linked_events(outcome):
    query = (sa.select(Event).join(OutcomeEvent, OutcomeEvent.event_id == Event.id)
             .where(OutcomeEvent.outcome_id == outcome.id, Event.state != EventState.DRAFT)
             .options(joinedload(Event.lab)).order_by(Event.starts_at, Event.id))
    return list(db.session.scalars(query))


def attachments_of(outcome):
    return list(db.session.scalars(sa.select(OutcomeAttachment).where(OutcomeAttachment.outcome_id == outcome.id)
                                   .order_by(OutcomeAttachment.id)))


def attachment_of(outcome, attachment_id):
    attachment = db.session.scalars(sa.select(OutcomeAttachment).where(
        OutcomeAttachment.id == attachment_id, OutcomeAttachment.outcome_id == outcome.id)).first()
    if attachment is None:
        abort(404)
    return attachment


def milestone_of(outcome, milestone_id):
    milestone = next((m for m in outcome.milestones if m.id == milestone_id), None)
    if milestone is None:
        abort(404)
    return milestone


# ---- the form's choices --------------------------------------------------------------------

def adoptable_proposals(project):
    """The published proposals (accepted or already adopted, not hidden) of the project's calls."""
    return list(db.session.scalars(
        sa.select(Proposal).join(Call, Call.id == Proposal.call_id)
        .where(Call.project_id == project.id, Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None))
        .options(joinedload(Proposal.call)).order_by(Call.id, Proposal.title, Proposal.id)))


def linkable_events(project, limit=200):
    """Events of the project's city's labs (not drafts), the latest first."""
    if project.city_id is None:
        return []
    return list(db.session.scalars(
        sa.select(Event).join(Lab, Lab.id == Event.lab_id)
        .where(Lab.city_id == project.city_id, Event.state != EventState.DRAFT)
        .options(joinedload(Event.lab)).order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)))


def linked_ids(outcome):
    """(ids of the proposals it adopts, ids of its events)."""
    if outcome is None:
        return [], []
    proposals = db.session.scalars(sa.select(OutcomeProposal.proposal_id)
                                   .where(OutcomeProposal.outcome_id == outcome.id)).all()
    events = db.session.scalars(sa.select(OutcomeEvent.event_id).where(OutcomeEvent.outcome_id == outcome.id)).all()
    return list(proposals), list(events)


# ---- a proposal's page ---------------------------------------------------------------------

def adopted_in(proposal):
    """The published outcomes (of visible projects) that adopted `proposal`: the proposal page's
    "Adottata in «…»" (core/sections.py); None when there is none."""
    outcomes = [outcome for outcome in db.session.scalars(
        sa.select(Outcome).join(OutcomeProposal, OutcomeProposal.outcome_id == Outcome.id)
        .where(OutcomeProposal.proposal_id == proposal.id)
        .options(joinedload(Outcome.project)).order_by(Outcome.title, Outcome.id))
        if can_view_outcome(current_user, outcome)]
    return outcomes or None


# ---- a city's outcomes ---------------------------------------------------------------------

def city_outcomes_select(city_id, viewer=None):
    """Published outcomes of the city's published projects (and drafts for its staff), by status
    (in the city's order; no status last), then project and title, with status and project."""
    viewer = current_user if viewer is None else viewer
    query = (sa.select(Outcome).join(Project, Project.id == Outcome.project_id)
             .outerjoin(OutcomeStatus, OutcomeStatus.id == Outcome.status_id)
             .where(Project.city_id == city_id)
             .options(joinedload(Outcome.status), joinedload(Outcome.project)))
    manages = is_admin(viewer) or (is_authenticated(viewer) and city_id in viewer.staff_city_ids)
    if not manages:
        query = query.where(Outcome.published.is_(True), Project.published.is_(True))
    no_status_last = sa.case((OutcomeStatus.id.is_(None), 1), else_=0)
    return query.order_by(no_status_last, OutcomeStatus.position, OutcomeStatus.id, Project.code,
                          Outcome.title, Outcome.id)


def group_by_status(outcomes):
    """[(status or None, [outcomes])] in the order given."""
    return [(status, list(items)) for status, items in groupby(outcomes, key=lambda outcome: outcome.status)]

