"""Calls for ideas and their proposals, as their public pages show them; writing, editing and
supporting a proposal as its pages do (the same loaders, permissions and services)."""
from typing import Annotated, Literal

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from civiclab.api.paging import api_page
from civiclab.api.schemas import Id, Input, Line, Page, Query, Schema, Text, datetime, field
from civiclab.api.spec import operation
from civiclab.core.errors import DomainError
from civiclab.core.pagination import Key
from civiclab.core.sanitize import safe_html
from civiclab.core.time import utcnow
from civiclab.places.models import City
from civiclab.programmes.models import Project
from civiclab.proposals import queries, services
from civiclab.proposals.models import Call, CallPhase, Proposal, ProposalState
from civiclab.proposals.services import BODY_MAX, PLACE_MAX, TITLE_MAX

PHASES = Literal["upcoming", "proposals", "review", "supports", "closed"]
STATES = Literal["draft", "submitted", "changes_requested", "accepted", "rejected", "adopted", "withdrawn"]
PUBLIC = Literal["accepted", "adopted"]
# The API's sorts, by the call page's names for them (queries.order_keys).
SORTS = {"recent": "recenti", "supports": "sostegni", "comments": "commenti"}


# ---- calls ---------------------------------------------------------------------------------

class ThemeOut(Schema):
    id: int = field("Identificativo", "The theme's id (the `theme` filter of /proposals).")
    name: str = field("Tema", "The theme's name.")


class CallOut(Schema):
    id: int = field("Identificativo", "The call's id.")
    title: str = field("Titolo", "The call's title.")
    description: str = field("Testo della call", "The call's text as written (Markdown).")
    description_html: str = field("Testo della call", "The call's text as the page shows it (sanitised HTML).")
    city: str = field("Città", "Its city's slug (`/cities/<slug>`).")
    city_name: str = field("Città", "Its city's name.")
    project: str | None = field("Progetto", "The code of the project it is on (`/projects/<code>`); null if none.")
    lab_id: int | None = field("Laboratorio", "The id of the lab that runs it; null if none.")
    lab_name: str | None = field("Laboratorio", "The name of the lab that runs it; null if none.")
    phase: PHASES = field("Fase", "Where the call is now: upcoming, proposals (proposals are written), review "
                          "(facilitators decide), supports (accepted proposals are supported), closed.")
    phase_label: str = field("Fase", "The phase as the page names it, in the reader's language.")
    open: bool = field("Aperta", "Whether it takes proposals or supports now (as the home page's open calls).")
    proposals_from: datetime = field("Le proposte si aprono il", "When proposals open (UTC).")
    review_from: datetime = field("La valutazione inizia il", "When the review starts (UTC).")
    supports_from: datetime = field("I sostegni si aprono il", "When supports open (UTC).")
    closes_at: datetime = field("La call si chiude il", "When the call closes (UTC).")
    public_proposals_count: int = field("Proposte", "How many of its proposals are published.")
    themes: list[ThemeOut] = field("Temi", "Its themes, in the page's order.")
    proposals_require_identity: bool = field(
        "Solo con SPID/CIE: per proporre", "Whether only accounts with a verified identity (SPID or CIE) may "
        "write proposals under it; others are refused (403, code identity_required).")
    supports_require_identity: bool = field(
        "Solo con SPID/CIE: per sostenere", "Whether only accounts with a verified identity (SPID or CIE) may "
        "support its proposals; others are refused (403, code identity_required).")
    url: str = field("Pagina", "The call's page on the site.")


def call_out(call):
    phase = call.phase
    return {
        "id": call.id, "title": call.title, "description": call.description,
        "description_html": str(safe_html(call.description_html)),
        "city": call.city.slug, "city_name": call.city.name,
        "project": call.project.code if call.project else None,
        "lab_id": call.lab_id, "lab_name": call.lab.name if call.lab else None,
        "phase": phase.value, "phase_label": str(phase.label),
        "open": phase in (CallPhase.PROPOSALS, CallPhase.SUPPORTS),
        "proposals_from": call.proposals_from, "review_from": call.review_from,
        "supports_from": call.supports_from, "closes_at": call.closes_at,
        "public_proposals_count": call.public_proposals_count,
        "themes": [{"id": theme.id, "name": theme.name} for theme in call.themes],
        "proposals_require_identity": call.proposals_require_identity,
        "supports_require_identity": call.supports_require_identity,
        "url": url_for("proposals.call", call_id=call.id),
    }


class CallQuery(Query):
    city: str | None = field("Città", "Only the calls of this city (its slug).", None, max_length=100)
    project: str | None = field("Progetto", "Only the calls on this project (its code).", None, max_length=100)
    phase: PHASES | None = field("Fase", "Only the calls in this phase now.", None)
    open: bool | None = field("Aperta", "true: only the calls taking proposals or supports now; false: only "
                              "the others.", None)


@operation("GET", "/calls", tag="codesign", summary="Calls for ideas", query=CallQuery, response=Page[CallOut])
def calls(actor, query):
    """The published calls, the most recently opened first (as the calls page)."""
    select = queries.calls_select(None).order_by(None)  # None: a visitor's list, published calls only
    now = utcnow()
    if query.city:
        select = select.where(City.slug == query.city)  # calls_select joins the city
    if query.project:
        select = select.where(Call.project_id.in_(sa.select(Project.id).where(Project.code == query.project)))
    if query.phase:
        select = select.where(queries.in_phase(CallPhase(query.phase), now))
    if query.open is not None:
        select = select.where(queries.is_open(now) if query.open else sa.not_(queries.is_open(now)))
    page = api_page(select, [Key(Call.proposals_from, True), Key(Call.id, True)], query=query,
                    list_name="calls", order_name=f"{query.city}|{query.project}|{query.phase}|{query.open}")
    return {**page, "data": [call_out(call) for call in page["data"]]}


@operation("GET", "/calls/<id:call_id>", tag="codesign", summary="One call", response=CallOut)
def call(actor, call_id):
    """One call with its themes: a call being prepared exists only for who prepares it."""
    return call_out(queries.load_call(call_id))


# ---- proposals -----------------------------------------------------------------------------

class ProposalOut(Schema):
    id: int = field("Identificativo", "The proposal's id.")
    call_id: int = field("Call", "The id of the call it answers (`/calls/<id>`).")
    title: str = field("Titolo", "Its title.")
    body: str = field("La tua proposta", "Its text as its author wrote it (Markdown).")
    body_html: str = field("La tua proposta", "Its text as the page shows it (sanitised HTML).")
    state: STATES = field("Stato", "accepted and adopted proposals are public; the others are seen only by "
                          "their author (and the call's facilitators).")
    state_label: str = field("Stato", "The state as the page names it, in the reader's language.")
    theme_id: int | None = field("Tema", "The id of its theme among the call's; null if none.")
    theme: str | None = field("Tema", "The name of its theme; null if none.")
    lab_id: int | None = field("Laboratorio (facoltativo)", "The lab where its author would develop it.")
    place: str = field("Luogo (facoltativo)", "Where it would be done; empty if not said.")
    author: str = field("Autore", "Its author's name as the site shows it.")
    supports_count: int = field("Sostegni", "How many people support it.")
    comments_count: int = field("Commenti", "How many comments anyone can read on it.")
    published_at: datetime | None = field("Pubblicata", "When it was published (UTC); null if never.")
    url: str = field("Pagina", "The proposal's page on the site.")


def proposal_out(proposal):
    return {
        "id": proposal.id, "call_id": proposal.call_id, "title": proposal.title, "body": proposal.body,
        "body_html": str(safe_html(proposal.body_html)), "state": proposal.state.value,
        "state_label": str(proposal.state.label), "theme_id": proposal.theme_id,
        "theme": proposal.theme.name if proposal.theme else None, "lab_id": proposal.lab_id,
        "place": proposal.place, "author": proposal.author.display_name,
        "supports_count": proposal.supports_count, "comments_count": proposal.comments_count,
        "published_at": proposal.published_at, "url": url_for("proposals.proposal", proposal_id=proposal.id),
    }


class ProposalQuery(Query):
    call: Id | None = field("Call", "Only the proposals of this call (its id).", None)
    state: PUBLIC | None = field("Stato", "Only the published (accepted) or the adopted ones.", None)
    theme: Id | None = field("Tema", "Only the proposals of this theme (its id, among the call's themes).", None)
    text: str | None = field("Cerca nelle proposte", "Words the title or text contain (each word, as the start "
                             "of a word; as the call page's search).", None, max_length=100)
    sort: Literal["recent", "supports", "comments"] = field(
        "Ordina per", "recent (the last published first), supports (the most supported first), comments "
        "(the most commented first); ties by id, the highest first.", "recent")


@operation("GET", "/proposals", tag="codesign", summary="Published proposals", query=ProposalQuery,
           response=Page[ProposalOut])
def proposals(actor, query):
    """The public proposals (accepted or adopted, not hidden) of the published calls."""
    filters = queries.ProposalFilters(sort=SORTS[query.sort], theme_id=query.theme, text=(query.text or "").strip())
    select = queries.public_proposals_select(
        filters, sa.select(Proposal).join(Call, Proposal.call_id == Call.id).where(Call.published.is_(True)))
    if query.call:
        select = select.where(Proposal.call_id == query.call)
    if query.state:
        select = select.where(Proposal.state == ProposalState(query.state))
    page = api_page(select, queries.order_keys(filters), query=query, list_name="proposals",
                    order_name=f"{query.sort}|{query.call}|{query.state}|{query.theme}|{filters.text}")
    return {**page, "data": [proposal_out(proposal) for proposal in page["data"]]}


@operation("GET", "/proposals/<id:proposal_id>", tag="codesign", summary="One proposal", response=ProposalOut)
def proposal(actor, proposal_id):
    """One proposal, for whoever its page shows it to: everybody once published (and not hidden);
    a draft only its author, a proposal in review its author and the call's facilitators."""
    return proposal_out(queries.load_proposal(proposal_id))


def _theme_needed(call, theme_id):
    """The form's rule (ProposalForm.validate_theme_id): a call with themes takes a proposal on one."""
    if call.themes and not theme_id:
        raise DomainError(_l("Scegli uno dei temi della call."), field="theme_id")


Title = Annotated[Line, Field(min_length=1, max_length=TITLE_MAX)]
Body = Annotated[Text, Field(min_length=1, max_length=BODY_MAX)]
Place = Annotated[Line, Field(max_length=PLACE_MAX)]


class ProposalIn(Input):
    title: Title = field("Titolo", "A sentence that says the idea.")
    body: Body = field("La tua proposta", "The proposal (Markdown: bold, italics, lists, links).")
    theme_id: Id | None = field("Tema", "One of the call's themes (required when the call has themes).", None)
    lab_id: Id | None = field("Laboratorio (facoltativo)", "A lab of the call's city.", None)
    place: Place = field("Luogo (facoltativo)", "Where it would be done.", "")
    submit: bool = field("Invia ai facilitatori", "true: send it to the facilitators now; false: keep it as a "
                         "draft only its author sees.", False)


class ProposalChange(Input):
    title: Title | None = field("Titolo", "A sentence that says the idea.", None)
    body: Body | None = field("La tua proposta", "The proposal (Markdown).", None)
    theme_id: Id | None = field("Tema", "One of the call's themes.", None)
    lab_id: Id | None = field("Laboratorio (facoltativo)", "A lab of the call's city; null for none.", None)
    place: Place | None = field("Luogo (facoltativo)", "Where it would be done.", None)
    submit: bool = field("Invia ai facilitatori", "true: send it to the facilitators after the changes.", False)


def _create(actor, call, body):
    """As the page: the proposal saved, then sent if asked (a refusal undoes the whole request)."""
    values = body.model_dump(exclude={"submit"})
    proposal = services.create_proposal(actor, call, **values)
    _theme_needed(call, values["theme_id"])
    if body.submit:
        services.submit_proposal(actor, proposal)
    return proposal


@operation("POST", "/calls/<id:call_id>/proposals", tag="codesign", summary="Write a proposal", auth="write",
           body=ProposalIn, response=ProposalOut, status=201, conflict=True, errors=(403,))
def proposal_new(actor, call_id, body):
    """A new proposal under the call, as a draft or sent to the facilitators at once, while the call
    takes proposals (409 otherwise); by a confirmed account that is not blocked (403), with a verified
    identity when the call's `proposals_require_identity` says so (403, code identity_required)."""
    return proposal_out(_create(actor, queries.load_call(call_id), body))


def _update(actor, proposal, body):
    given = body.model_dump(exclude={"submit"}, exclude_unset=True)
    values = {"title": proposal.title, "body": proposal.body, "theme_id": proposal.theme_id,
              "lab_id": proposal.lab_id, "place": proposal.place, **given}
    if given:
        services.update_proposal(actor, proposal, **values)  # who, when, and the fields' own rules first
        _theme_needed(proposal.call, values["theme_id"])
    if body.submit:
        services.submit_proposal(actor, proposal)
    return proposal


@operation("PATCH", "/proposals/<id:proposal_id>", tag="codesign", summary="Edit a proposal", auth="write",
           body=ProposalChange, response=ProposalOut, conflict=True, errors=(403,))
def proposal_edit(actor, proposal_id, body):
    """Its author changes the fields sent (the others stay), while it is a draft or changes were
    requested (409 otherwise), and sends it to the facilitators with `submit`."""
    proposal = queries.load_proposal(proposal_id, for_="edit")
    return proposal_out(_update(actor, proposal, body))


# ---- supports ------------------------------------------------------------------------------

class SupportOut(Schema):
    proposal_id: int = field("Proposta", "The proposal's id.")
    supported: bool = field("Sostieni questa proposta", "Whether the token's person supports it now.")
    supports_count: int = field("Sostegni", "How many people support it now.")


@operation("POST", "/proposals/<id:proposal_id>/support", tag="codesign", summary="Support a proposal",
           auth="write", response=SupportOut, status=201, conflict=True, errors=(403,))
def support(actor, proposal_id):
    """Support a published proposal of somebody else while the call takes supports; a second
    support, or one outside the supports phase, is a conflict (409). When the call's
    `supports_require_identity` says so, only an account with a verified identity may (403, code
    identity_required)."""
    proposal = services.support(actor, queries.load_proposal(proposal_id))
    return {"proposal_id": proposal.id, "supported": True, "supports_count": proposal.supports_count}


@operation("DELETE", "/proposals/<id:proposal_id>/support", tag="codesign", summary="Withdraw a support",
           auth="write", response=SupportOut, conflict=True, errors=(403,))
def withdraw_support(actor, proposal_id):
    """Withdraw one's support while the call takes supports (409 without one, or outside the phase)."""
    proposal = services.withdraw_support(actor, queries.load_proposal(proposal_id))
    return {"proposal_id": proposal.id, "supported": False, "supports_count": proposal.supports_count}
