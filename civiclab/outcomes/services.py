"""The rules of outcomes: writing them, their progress, milestones, links and attachments.

Progress
--------
Progress is a percentage, 0-100.

* A leaf outcome (no sub-results) has the progress staff give it. Choosing a status fills it with
  the status' default progress (Pianificato 0 %, Completato 100 %; In corso, Sospeso, Annullato
  have none and keep the current value) unless staff type another value: on the form, a progress
  left empty, or left as it was while the status changes, takes the new status' default; any
  other value is kept as typed.
* A parent's progress is computed from its direct children, never typed (its form says so):

      progress(parent) = Σ wᵢ · progress(childᵢ) / Σ wᵢ

  where wᵢ is child i's `weight` when it has one; a child without a weight counts as the mean
  weight of the siblings that have one; when no child has a weight, or the weights add up to 0,
  every child counts the same (wᵢ = 1). Weights are therefore relative and normalised: 3 and 1
  mean 75 % and 25 %, exactly like 0.75 and 0.25 or 30 and 10; they need not add up to 1 (Decidim
  sums progress × weight without normalising, so weights that do not add up to 1 give nonsense).
  Every child counts, published or draft. The result is rounded to two decimals.
* Changing a child (its progress, weight, parent, status, or deleting it) recomputes its parent,
  the parent's parent and so on up to the root, in the same transaction (the same service call).
  A parent whose last child goes keeps its last computed progress, and staff may type it again.

After a change is flushed, `outcome_changed` is sent for each published outcome whose status or
progress changed (the one edited and its ancestors), with changes={"status": (old label, new
label), "progress": (old, new)} holding only what changed; `milestone_reached` when a milestone of
a published outcome is marked reached.

Links
-----
An outcome adopts published proposals of its project's calls: linking an "accepted" proposal
moves it to "adopted" (proposals.services.adopt_proposal, the outcome's title as the reason);
one already adopted by another outcome is only linked. Unlinking the last outcome of a proposal
moves it back to "accepted" (proposals.services.unadopt_proposal), logged in its history.
"""
import math

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.core import signals
from civiclab.core.audit import audit
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.i18n import in_language
from civiclab.core.sanitize import is_blank, plain_text, render_markdown
from civiclab.core.time import ROME, utcnow
from civiclab.extensions import db
from civiclab.outcomes import queries
from civiclab.outcomes.models import (
    DEFAULT_STATUSES,
    Milestone,
    Outcome,
    OutcomeAttachment,
    OutcomeEvent,
    OutcomeProposal,
    OutcomeStatus,
)
from civiclab.outcomes.permissions import can_edit_outcome, can_manage_outcomes
from civiclab.proposals import attachments
from civiclab.proposals import services as proposal_services
from civiclab.proposals.models import Proposal, ProposalState

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
ADDRESS_MAX = 200
WEIGHT_MAX = 1_000_000


def today():
    return utcnow().astimezone(ROME).date()


# ---- statuses ------------------------------------------------------------------------------

def ensure_statuses(city):
    """The city's default statuses (models.DEFAULT_STATUSES), created the first time they are
    needed; a default one already there is left as it is. Returns the city's status list."""
    if city is None:
        return []
    existing = {status.key for status in queries.city_statuses(city.id)}
    for position, (key, default_progress) in enumerate(DEFAULT_STATUSES):
        if key in existing:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(OutcomeStatus(city_id=city.id, key=key, default_progress=default_progress,
                                             position=position))
        except IntegrityError:  # made meanwhile by another request
            pass
    return queries.city_statuses(city.id)


# ---- progress ------------------------------------------------------------------------------

def weighted_progress(children):
    """A parent's progress from its children (the rule in the module's docstring)."""
    if not children:
        return 0.0
    given = [child.weight for child in children if child.weight is not None]
    if given:
        mean = sum(given) / len(given)
        weights = [child.weight if child.weight is not None else mean for child in children]
    else:
        weights = [1.0] * len(children)
    total = sum(weights)
    if total <= 0:
        weights, total = [1.0] * len(children), float(len(children))
    value = sum(weight * (child.progress or 0.0) for weight, child in zip(weights, children, strict=True)) / total
    return round(min(max(value, 0.0), 100.0), 2)


def _children(outcome_id):
    return list(db.session.scalars(sa.select(Outcome).where(Outcome.parent_id == outcome_id)))


def recompute_progress(outcome):
    """Recompute `outcome`'s progress from its children (when it has any), then its parent's, and
    so on up to the root. Returns [(outcome, old progress)] for those whose progress changed."""
    changed = []
    seen = set()
    current = outcome
    while current is not None and current.id not in seen:
        seen.add(current.id)
        children = _children(current.id)
        if children:
            old, new = current.progress, weighted_progress(children)
            if new != old:
                current.progress = new
                changed.append((current, old))
        current = db.session.get(Outcome, current.parent_id) if current.parent_id is not None else None
    db.session.flush()
    return changed


def _recompute_from(parent_id):
    return recompute_progress(db.session.get(Outcome, parent_id)) if parent_id is not None else []


def _announce(actor, changes_by_outcome):
    """Send outcome_changed for each published outcome with changes (after the flush)."""
    for outcome, changes in changes_by_outcome:
        if changes and outcome.published:
            signals.outcome_changed.send(outcome, actor=actor, changes=changes)


def _ancestor_changes(changed, exclude=None):
    return [(outcome, {"progress": (old, outcome.progress)}) for outcome, old in changed
            if outcome is not exclude]


# ---- outcomes ------------------------------------------------------------------------------

def _number(value, field, message):
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DomainError(message, field=field) from None
    if not math.isfinite(number):
        raise DomainError(message, field=field)
    return number


def _title_and_description(values):
    """(title as plain text, description as Markdown source), both within their limits."""
    title = plain_text(values.get("title", "")).strip()
    if is_blank(title):
        raise DomainError(_l("Il titolo è obbligatorio."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_l("Il titolo può avere al massimo %(n)d caratteri.", n=TITLE_MAX), field="title")
    description = (values.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(_l("La descrizione può avere al massimo %(n)d caratteri.", n=DESCRIPTION_MAX),
                          field="description")
    return title, description


def _outcome_values(project, outcome, values):
    title, description = _title_and_description(values)
    status_id = values.get("status_id") or None
    status = None
    if status_id is not None:
        status = next((s for s in ensure_statuses(project.city) if s.id == status_id), None)
        if status is None:
            raise DomainError(_l("Scegli uno degli stati della città."), field="status_id")
    progress = _number(values.get("progress"), "progress", _l("L'avanzamento è un numero da 0 a 100."))
    if progress is not None and not 0 <= progress <= 100:
        raise DomainError(_l("L'avanzamento è un numero da 0 a 100."), field="progress")
    progress = round(progress, 2) if progress is not None else None
    start, end = values.get("start_date"), values.get("end_date")
    if start is not None and end is not None and end < start:
        raise DomainError(_l("La data di fine non può precedere quella di inizio."), field="end_date")
    address = plain_text(values.get("address", "")).strip()
    if len(address) > ADDRESS_MAX:
        raise DomainError(_l("L'indirizzo può avere al massimo %(n)d caratteri.", n=ADDRESS_MAX), field="address")
    weight = _number(values.get("weight"), "weight", _l("Il peso è un numero maggiore o uguale a zero."))
    if weight is not None and not 0 <= weight <= WEIGHT_MAX:
        raise DomainError(_l("Il peso è un numero maggiore o uguale a zero."), field="weight")
    parent_id = values.get("parent_id") or None
    if parent_id is not None:
        parent = db.session.get(Outcome, parent_id)
        if parent is None or parent.project_id != project.id:
            raise DomainError(_l("Il risultato superiore deve essere dello stesso progetto."), field="parent_id")
        if outcome is not None and (parent_id == outcome.id or parent_id in queries.descendant_ids(outcome)):
            raise DomainError(_l("Un risultato non può stare sotto se stesso o sotto un suo sotto-risultato."),
                              field="parent_id")
    return {
        "title": title, "description": description, "description_html": render_markdown(description),
        "status_id": status.id if status else None, "start_date": start, "end_date": end,
        "address": address, "weight": weight, "parent_id": parent_id,
    }, status, progress


def _chosen_progress(outcome, status, status_changed, typed):
    """The progress a leaf takes (the rule in the module's docstring)."""
    current = outcome.progress if outcome is not None else 0.0
    if typed is not None and not (status_changed and outcome is not None and typed == current):
        return typed
    if status_changed and status is not None and status.default_progress is not None:
        return float(status.default_progress)
    return typed if typed is not None else current


def create_outcome(actor, project, *, proposal_ids=None, event_ids=None, published=True, **values):
    """A new outcome of `project`; `values`: title, description (Markdown), status_id, progress
    (None: the status' default), start_date, end_date, address, parent_id, weight."""
    if not can_manage_outcomes(actor, project):
        raise NotAllowed(_l("Solo il Comune può pubblicare i risultati di questo progetto."))
    fields, status, typed = _outcome_values(project, None, values)
    outcome = Outcome(project_id=project.id, published=bool(published), created_by_id=actor.id,
                      progress=_chosen_progress(None, status, status is not None, typed), **fields)
    outcome.project = project
    db.session.add(outcome)
    db.session.flush()
    _set_links(actor, outcome, proposal_ids, event_ids)
    changed = _recompute_from(outcome.parent_id)
    audit(actor, "outcome.created", outcome, city_id=project.city_id, title=outcome.title,
          published=outcome.published, progress=outcome.progress)
    _announce(actor, _ancestor_changes(changed))
    return outcome


def _audit_milestone(actor, action, milestone, **details):
    audit(actor, action, milestone, city_id=milestone.outcome.project.city_id, title=milestone.title,
          outcome_id=milestone.outcome_id, **details)


def update_outcome(actor, outcome, *, proposal_ids=None, event_ids=None, published=None, **values):
    """Change an outcome (the same values as create_outcome); a parent's progress stays computed."""
    if not can_edit_outcome(actor, outcome):
        raise NotAllowed(_l("Solo il Comune può modificare questo risultato."))
    project = outcome.project
    fields, status, typed = _outcome_values(project, outcome, values)
    old_status, old_progress, old_parent_id = outcome.status, outcome.progress, outcome.parent_id
    status_changed = fields["status_id"] != outcome.status_id
    has_children = bool(_children(outcome.id))
    for key, value in fields.items():
        setattr(outcome, key, value)
    outcome.status = status
    if not has_children:
        outcome.progress = _chosen_progress(outcome, status, status_changed, typed)
    if published is not None:
        outcome.published = bool(published)
    db.session.flush()
    _set_links(actor, outcome, proposal_ids, event_ids)
    changed = recompute_progress(outcome)  # itself when a parent, then its ancestors
    if old_parent_id != outcome.parent_id:
        changed += _recompute_from(old_parent_id)
    own = {}
    if status_changed:
        own["status"] = (old_status.label if old_status else None, status.label if status else None)
    if outcome.progress != old_progress:
        own["progress"] = (old_progress, outcome.progress)
    audit(actor, "outcome.edited", outcome, city_id=project.city_id, title=outcome.title,
          published=outcome.published, **{key: f"{old} → {new}" for key, (old, new) in own.items()
                                           if key == "progress"})
    if status_changed:
        audit(actor, "outcome.status_changed", outcome, city_id=project.city_id, title=outcome.title,
              status=f"{own['status'][0] or '—'} → {own['status'][1] or '—'}")
    _announce(actor, [(outcome, own), *_ancestor_changes(changed, exclude=outcome)])
    return outcome


def delete_outcome(actor, outcome):
    """Delete an outcome without sub-results: the proposals it alone adopted go back to
    "accepted", its files are removed, its ancestors' progress recomputed."""
    if not can_edit_outcome(actor, outcome):
        raise NotAllowed(_l("Solo il Comune può eliminare questo risultato."))
    if _children(outcome.id):
        raise DomainError(_l("Il risultato ha dei sotto-risultati: eliminali o spostali prima."))
    _set_links(actor, outcome, [], [])
    parent_id = outcome.parent_id
    stored = [attachment.stored_name for attachment in queries.attachments_of(outcome)]
    audit(actor, "outcome.deleted", outcome, city_id=outcome.project.city_id, title=outcome.title)
    db.session.delete(outcome)
    db.session.flush()
    for name in stored:
        attachments.remove(name)
    _announce(actor, _ancestor_changes(_recompute_from(parent_id)))


# ---- links ---------------------------------------------------------------------------------

def _adoption_reason(outcome):
    with in_language("it"):  # stored in the proposal's history, in the site's language
        return str(_l("Adottata nel risultato «%(title)s»", title=outcome.title))


def _release_reason(outcome):
    with in_language("it"):
        return str(_l("Non più adottata nel risultato «%(title)s»", title=outcome.title))


def _set_links(actor, outcome, proposal_ids, event_ids):
    """Make the outcome adopt exactly `proposal_ids` and link exactly `event_ids` (None: leave as
    they are), moving proposals to and from "adopted" (the rule in the module's docstring)."""
    current_proposals, current_events = queries.linked_ids(outcome)
    project = outcome.project
    if proposal_ids is not None:
        wanted = set(proposal_ids)
        allowed = {proposal.id for proposal in queries.adoptable_proposals(project)} | set(current_proposals)
        if wanted - allowed:
            raise DomainError(_l("Scegli tra le proposte pubblicate delle call di questo progetto."),
                              field="proposal_ids")
        for proposal_id in sorted(wanted - set(current_proposals)):
            proposal = db.session.get(Proposal, proposal_id)
            db.session.add(OutcomeProposal(outcome_id=outcome.id, proposal_id=proposal_id, created_by_id=actor.id))
            db.session.flush()
            if proposal.state is ProposalState.ACCEPTED:
                proposal_services.adopt_proposal(actor, proposal, _adoption_reason(outcome))
        for proposal_id in sorted(set(current_proposals) - wanted):
            db.session.execute(sa.delete(OutcomeProposal).where(OutcomeProposal.outcome_id == outcome.id,
                                                                OutcomeProposal.proposal_id == proposal_id))
            others = db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeProposal)
                                       .where(OutcomeProposal.proposal_id == proposal_id))
            proposal = db.session.get(Proposal, proposal_id)
            if not others and proposal.state is ProposalState.ADOPTED:
                proposal_services.unadopt_proposal(actor, proposal, _release_reason(outcome))
    if event_ids is not None:
        wanted = set(event_ids)
        allowed = {event.id for event in queries.linkable_events(project)} | set(current_events)
        if wanted - allowed:
            raise DomainError(_l("Scegli tra gli eventi dei laboratori della città."), field="event_ids")
        for event_id in sorted(wanted - set(current_events)):
            db.session.add(OutcomeEvent(outcome_id=outcome.id, event_id=event_id))
        stale = set(current_events) - wanted
        if stale:
            db.session.execute(sa.delete(OutcomeEvent).where(OutcomeEvent.outcome_id == outcome.id,
                                                             OutcomeEvent.event_id.in_(stale)))
    db.session.flush()


# ---- milestones ----------------------------------------------------------------------------

def _milestone_values(values):
    title, description = _title_and_description(values)
    planned_on = values.get("planned_on")
    if planned_on is None:
        raise DomainError(_l("Indica la data prevista."), field="planned_on")
    reached_on = values.get("reached_on")
    _check_reached(reached_on)
    return {"title": title, "description": description, "description_html": render_markdown(description),
            "planned_on": planned_on, "reached_on": reached_on}


def _check_reached(reached_on):
    if reached_on is not None and reached_on > today():
        raise DomainError(_l("La data di raggiungimento non può essere nel futuro."), field="reached_on")


def _announce_reached(actor, milestone, was_reached):
    if milestone.reached_on is not None and not was_reached and milestone.outcome.published:
        signals.milestone_reached.send(milestone.outcome, milestone=milestone, actor=actor)


def add_milestone(actor, outcome, **values):
    """A dated step of `outcome`: title, description (Markdown), planned_on, reached_on (optional)."""
    if not can_edit_outcome(actor, outcome):
        raise NotAllowed(_l("Solo il Comune può modificare questo risultato."))
    milestone = Milestone(outcome_id=outcome.id, **_milestone_values(values))
    milestone.outcome = outcome
    db.session.add(milestone)
    db.session.flush()
    _audit_milestone(actor, "milestone.created", milestone)
    _announce_reached(actor, milestone, False)
    return milestone


def update_milestone(actor, milestone, **values):
    if not can_edit_outcome(actor, milestone.outcome):
        raise NotAllowed(_l("Solo il Comune può modificare questo risultato."))
    was_reached = milestone.reached_on is not None
    for key, value in _milestone_values(values).items():
        setattr(milestone, key, value)
    db.session.flush()
    _audit_milestone(actor, "milestone.edited", milestone)
    _announce_reached(actor, milestone, was_reached)
    return milestone


def delete_milestone(actor, milestone):
    if not can_edit_outcome(actor, milestone.outcome):
        raise NotAllowed(_l("Solo il Comune può modificare questo risultato."))
    _audit_milestone(actor, "milestone.deleted", milestone)
    db.session.delete(milestone)
    db.session.flush()


def reach_milestone(actor, milestone, on=None):
    """Mark the milestone reached on `on` (today by default; not in the future)."""
    if not can_edit_outcome(actor, milestone.outcome):
        raise NotAllowed(_l("Solo il Comune può modificare questo risultato."))
    on = on or today()
    _check_reached(on)
    was_reached = milestone.reached_on is not None
    milestone.reached_on = on
    db.session.flush()
    _audit_milestone(actor, "milestone.reached", milestone, reached_on=on)
    _announce_reached(actor, milestone, was_reached)
    return milestone


def unreach_milestone(actor, milestone):
    """Mark the milestone not reached (a mistake corrected)."""
    if not can_edit_outcome(actor, milestone.outcome):
        raise NotAllowed(_l("Solo il Comune può modificare questo risultato."))
    milestone.reached_on = None
    db.session.flush()
    _audit_milestone(actor, "milestone.unreached", milestone)
    return milestone


# ---- attachments ---------------------------------------------------------------------------

def add_attachments(actor, outcome, received):
    """Attach files as received (proposals.attachments.receive_all) under the proposals' rules:
    at most UPLOADS_PER_PROPOSAL per outcome, the uploader's daily quota, every file checked and
    nothing stored unless all pass (proposals.services.store_uploads)."""
    if not can_edit_outcome(actor, outcome):
        raise NotAllowed(_l("Solo il Comune può allegare file a questo risultato."))
    if not received:
        return []
    allowed = current_app.config["UPLOADS_PER_PROPOSAL"]
    existing = db.session.scalar(sa.select(sa.func.count(OutcomeAttachment.id))
                                 .where(OutcomeAttachment.outcome_id == outcome.id))
    if existing + len(received) > allowed:
        raise DomainError(_l("Un risultato può avere al massimo %(n)d allegati (ne ha già %(has)d).",
                             n=allowed, has=existing), field="files")
    added = [OutcomeAttachment(outcome_id=outcome.id, filename=upload.filename, stored_name=stored_name,
                               content_type=upload.content_type, size=upload.size, created_by_id=actor.id)
             for upload, stored_name in proposal_services.store_uploads(actor, received)]
    db.session.add_all(added)
    db.session.flush()
    return added


def delete_attachment(actor, attachment):
    if not can_edit_outcome(actor, attachment.outcome):
        raise NotAllowed(_l("Solo il Comune può togliere allegati da questo risultato."))
    stored_name = attachment.stored_name
    db.session.delete(attachment)
    db.session.flush()
    attachments.remove(stored_name)
