"""Outcomes (results) of the projects, with their milestones and the proposals they adopt, as the
public outcome page shows them; the names and values are the open data's
(/dati-aperti/risultati.csv, tappe.csv, proposte-adottate.csv) where it has the field."""
import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from civiclab.api.paging import api_page
from civiclab.api.schemas import Page, Query, Schema, date, field
from civiclab.api.spec import operation
from civiclab.core.pagination import Key
from civiclab.core.sanitize import safe_html
from civiclab.outcomes.models import Outcome, OutcomeStatus
from civiclab.outcomes.permissions import can_edit_outcome
from civiclab.outcomes.queries import (
    adopted_proposals,
    adopted_proposals_of,
    load_outcome,
    visible_outcomes,
)
from civiclab.places.models import City
from civiclab.programmes.models import Project
from civiclab.proposals.permissions import can_view_proposal


class MilestoneOut(Schema):
    id: int = field("Identificativo", "The milestone's id.")
    title: str = field("Tappa", "What the step is.")
    planned_on: date = field("Prevista il", "The day it is planned for (YYYY-MM-DD).")
    reached_on: date | None = field("Raggiunta il", "The day it was reached; null while it is not.")
    description_html: str = field("Descrizione", "Its description as the page shows it: HTML, already "
                                  "sanitised (a strict allowlist); empty when there is none.")


class AdoptedProposalOut(Schema):
    id: int = field("Identificativo", "The proposal's id.")
    title: str = field("Proposta", "The proposal's title.")
    url: str = field("Pagina", "The address of the proposal's public page on the site.")


class OutcomeOut(Schema):
    id: int = field("Identificativo", "The outcome's id.")
    project: str = field("Progetto", "The code of its project (see /projects/{code}).")
    project_title: str = field("Progetto", "The title of its project.")
    parent: int | None = field("Fa parte di", "The id of the outcome it is part of; null for a top-level one "
                               "(or when that one is not public).")
    title: str = field("Risultato", "The outcome's title.")
    status: str | None = field("Stato", "Its status' key: planned, in_progress, completed, suspended, cancelled, "
                               "or one of its city's own; null when it has none.")
    status_label: str | None = field("Stato", "The status' name in the language asked for with "
                                     "Accept-Language; null when it has none.")
    progress: float = field("Avanzamento", "Progress from 0 to 100, one decimal (a parent's is computed from "
                            "its sub-outcomes).")
    start_date: date | None = field("Data inizio", "Start (YYYY-MM-DD); null when not given.")
    end_date: date | None = field("Data fine", "End (YYYY-MM-DD); null when not given.")
    address: str = field("Indirizzo", "Where it is; empty when it has no address.")
    description_html: str = field("Descrizione", "Its description as the page shows it: HTML, already "
                                  "sanitised (a strict allowlist); empty when there is none.")
    published: bool = field("Pubblicato", "Always true for a visitor; false only for a draft, which only its "
                            "city's staff and administrators see, with their own token.")
    url: str = field("Pagina", "The address of its page on the site.")
    milestones: list[MilestoneOut] = field("Tappe", "Its milestones, by planned day.")
    adopted_proposals: list[AdoptedProposalOut] = field("Proposte adottate", "The participants' proposals it "
                                                        "adopted, by title.")


def _html(stored):
    """Stored HTML cleaned once more on the way out, as the page's `user_html` does."""
    return str(safe_html(stored))


def outcome_out(actor, outcome, proposals):
    """The outcome as the API writes it; `outcome` with its project, status, parent and
    milestones loaded; `proposals`: those it adopts, as its page lists them."""
    parent = outcome.parent
    shows_parent = parent is not None and (parent.published or can_edit_outcome(actor, outcome))
    status = outcome.status
    return {
        "id": outcome.id, "project": outcome.project.code, "project_title": outcome.project.title,
        "parent": parent.id if shows_parent else None, "title": outcome.title,
        "status": status.key if status else None, "status_label": str(status.label) if status else None,
        "progress": outcome.progress_shown, "start_date": outcome.start_date, "end_date": outcome.end_date,
        "address": outcome.address, "description_html": _html(outcome.description_html),
        "published": outcome.published, "url": url_for("outcomes.outcome", outcome_id=outcome.id),
        "milestones": [{"id": m.id, "title": m.title, "planned_on": m.planned_on, "reached_on": m.reached_on,
                        "description_html": _html(m.description_html)} for m in outcome.milestones],
        # What the page lists, less a proposal whose own page the reader could not open (its
        # call made private since).
        "adopted_proposals": [
            {"id": p.id, "title": p.title, "url": url_for("proposals.proposal", proposal_id=p.id)}
            for p in proposals if can_view_proposal(actor, p)],
    }


class OutcomeQuery(Query):
    project: str | None = field("Progetto", "Only the outcomes of this project (its code; the open data's "
                                "`project`).", None, max_length=40)
    city: str | None = field("Città", "Only the outcomes of this city's projects (its slug, see /cities).",
                             None, max_length=80)
    status: str | None = field("Stato", "Only the outcomes in this status (its key: planned, in_progress, "
                               "completed, suspended, cancelled, or a city's own).", None, max_length=40)


def _filtered(select, query):
    if query.project:
        select = select.where(Project.code == query.project)
    if query.city:
        select = select.where(Project.city_id.in_(sa.select(City.id).where(City.slug == query.city)))
    if query.status:
        select = select.where(Outcome.status_id.in_(sa.select(OutcomeStatus.id).where(
            OutcomeStatus.key == query.status)))
    return select


@operation("GET", "/outcomes", tag="projects", summary="Outcomes", query=OutcomeQuery, response=Page[OutcomeOut])
def outcomes(actor, query):
    """The published outcomes of published projects, by id, each with its milestones and the
    proposals it adopted; filters combine."""
    select = (sa.select(Outcome).join(Project, Project.id == Outcome.project_id)
              .options(contains_eager(Outcome.project), joinedload(Outcome.status), joinedload(Outcome.parent),
                       selectinload(Outcome.milestones)))
    page = api_page(visible_outcomes(_filtered(select, query), actor), [Key(Outcome.id)], query=query,
                    list_name="outcomes")
    adopted = adopted_proposals_of([outcome.id for outcome in page["data"]]) if page["data"] else {}
    return {**page, "data": [outcome_out(actor, outcome, adopted.get(outcome.id, []))
                             for outcome in page["data"]]}


@operation("GET", "/outcomes/<id:outcome_id>", tag="projects", summary="One outcome", response=OutcomeOut)
def outcome(actor, outcome_id):
    """One outcome, with its milestones and the proposals it adopted; a draft, or an outcome of a
    draft project, is not found."""
    outcome = load_outcome(outcome_id)
    return outcome_out(actor, outcome, adopted_proposals(outcome))
