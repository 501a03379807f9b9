"""Pages of the moderation domain: the facilitators' proposal queue and decisions, reporting a
proposal, the reports queue, blocks, and the log of every moderation action."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from civiclab.accounts.blocks import active_block
from civiclab.core.forms import filter_id
from civiclab.core.kit import attempt, limit_writes, page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.extensions import db
from civiclab.moderation import bp, queries, services
from civiclab.moderation.forms import (
    ALL_STATES,
    DECISIONS,
    BlockForm,
    DecisionForm,
    LiftBlockForm,
    QueueFilterForm,
    ReportForm,
    ResolveReportsForm,
)
from civiclab.moderation.permissions import can_block_user, can_lift_block, can_moderate_anything
from civiclab.moderation.reportable import city_of, content_url
from civiclab.proposals import queries as proposal_queries
from civiclab.proposals import services as proposal_services
from civiclab.proposals.models import Proposal


def _paginate(query):
    return db.paginate(query, page=page_number(), per_page=current_app.config["PER_PAGE"], error_out=False)


# ---- the proposal queue --------------------------------------------------------------------

@bp.get("/moderazione/proposte")
@login_required
def proposal_queue():
    require(can_moderate_anything(current_user))
    calls = queries.moderated_calls(current_user)
    form = QueueFilterForm(formdata=request.args)
    form.call.choices = [SelectChoice("", _("Tutte le call"))] + [SelectChoice(str(c.id), c.title) for c in calls]
    form.stato.choices = [SelectChoice(state.value, state.label) for state in queries.QUEUE_STATES] + [
        SelectChoice(ALL_STATES, _("Tutti gli stati"))]
    form.tema.choices = [SelectChoice("", _("Tutti i temi"))] + [
        SelectChoice(str(theme.id), theme.name, optgroup=call.title) for call in calls for theme in call.themes]
    filters = queries.QueueFilters(call_id=filter_id(form.call.data), state=form.state(),
                                   theme_id=filter_id(form.tema.data))
    form.stato.data = filters.state.value if filters.state else ALL_STATES
    page = _paginate(queries.queue_select(current_user, filters))
    counts = queries.queue_counts(current_user, filters)
    filter_args = {name: value for name, value in request.args.items() if name in ("call", "tema") and value}
    return render_template("moderation/queue.html", page=page, form=form, counts=counts, filters=filters,
                           filter_args=filter_args, all_states=ALL_STATES)


def _allowed_decisions(proposal):
    return [state for state in DECISIONS if Proposal.who_may(proposal.state, state) == "moderator"]


@bp.route("/moderazione/proposte/<id:proposal_id>", methods=["GET", "POST"])
@login_required
@limit_writes()
def proposal_decision(proposal_id):
    proposal = queries.load_proposal_for_decision(proposal_id)
    form = DecisionForm(allowed=_allowed_decisions(proposal))
    if form.validate_on_submit() and attempt(proposal_services.moderate_proposal, current_user, proposal,
                                             form.new_state(), form.reason.data, form=form, on_form=True):
        flash(_("Decisione registrata: «%(title)s» ora è «%(state)s». L'autore riceve il motivo.",
                title=proposal.title, state=proposal.state.label), "success")
        return redirect(url_for("moderation.proposal_queue"))
    return page("moderation/decision.html", proposal=proposal, form=form,
                call_open=proposal.call.allows("moderate"),
                changes=proposal_queries.resubmission_changes(proposal))


# ---- reporting a proposal (the form is the ("proposal", "report") section of its page) -------

@bp.post("/proposte/<id:proposal_id>/segnala")
@login_required
@limit_writes()
def report_proposal(proposal_id):
    proposal = queries.load_proposal_to_report(proposal_id)
    form = ReportForm()
    if form.validate_on_submit() and attempt(services.report, current_user, proposal, form.reason.data,
                                             form=form, on_form=True):
        flash(_("Segnalazione ricevuta: i moderatori la esamineranno. Grazie."), "success")
        return redirect(url_for("proposals.proposal", proposal_id=proposal.id))
    return page("moderation/report.html", form=form, proposal=proposal)


# ---- reports -------------------------------------------------------------------------------

def _reports_page(failed=None):
    """The open reports the user may moderate, a page of contents; `failed`: a form to show
    again with its errors in place of its content's empty form."""
    require(can_moderate_anything(current_user))
    contents = queries.open_reported_contents(current_user)
    per_page = current_app.config["PER_PAGE"]
    last = max(1, -(-len(contents) // per_page))
    items = queries.ListPagination(page=min(page_number(), last), per_page=per_page, error_out=False,
                                   items=contents)
    forms = {content.key: ResolveReportsForm(prefix=content.key, formdata=None) for content in items.items}
    _show_failed(forms, failed)
    # The author of a content of a city is active there: whether the viewer may block them.
    blockable = {content.key: can_block_user(current_user, content.target.author, {city_of(content.target)})
                 for content in items.items}
    return page("moderation/reports.html", page=items, forms=forms, blockable=blockable)


def _show_failed(forms, failed):
    """Put the form that failed in its place on the page; flash its errors if it is not shown."""
    if failed is None:
        return
    key, form = failed
    if key in forms:
        forms[key] = form
        return
    for errors in form.errors.values():
        for error in errors:
            flash(error, "danger")


@bp.get("/moderazione/segnalazioni")
@login_required
def reports():
    return _reports_page()


@bp.post("/moderazione/segnalazioni/<kind>/<id:target_id>")
@login_required
@limit_writes()
def resolve_reports(kind, target_id):
    target = queries.load_reported(kind, target_id)
    key = f"{kind}-{target_id}"  # ReportedContent.key: each content's form has its own prefix
    form = ResolveReportsForm(prefix=key)
    if form.validate_on_submit() and attempt(services.resolve_reports, current_user, target, form.upheld,
                                             form.reason.data, form=form, on_form=True):
        if kind == "messaggio":
            flash(_("Segnalazioni confermate: il messaggio è eliminato.") if form.upheld
                  else _("Segnalazioni respinte: il messaggio resta."), "success")
        elif form.upheld:
            flash(_("Segnalazioni confermate: il contenuto resta nascosto."), "success")
        elif target.hidden_at is None:
            flash(_("Segnalazioni respinte: il contenuto è visibile."), "success")
        else:
            flash(_("Segnalazioni respinte; il contenuto resta nascosto da un moderatore."), "success")
        return redirect(url_for("moderation.reports"))
    return _reports_page(failed=(key, form))


# ---- blocks --------------------------------------------------------------------------------

@bp.route("/moderazione/utenti/<id:user_id>/blocca", methods=["GET", "POST"])
@login_required
@limit_writes()
def block_user(user_id):
    user = queries.load_user_to_block(user_id)
    services.ensure_may_block(current_user, user)  # NotAllowed: 403 saying why
    form = BlockForm()
    if form.validate_on_submit() and attempt(services.block_user, current_user, user, form.reason.data,
                                             ends_at=form.ends_at(), form=form, on_form=True):
        flash(_("%(name)s è bloccato: non può commentare né proporre.", name=user.display_name), "success")
        return redirect(url_for("moderation.blocks"))
    return page("moderation/block.html", user=user, form=form, block=active_block(user))


def _blocks_page(failed=None):
    items = _paginate(queries.active_blocks_select())
    forms = {block.id: LiftBlockForm(prefix=f"revoca-{block.id}", formdata=None) for block in items.items}
    _show_failed(forms, failed)
    liftable = {block.id: can_lift_block(current_user, block) for block in items.items}
    return page("moderation/blocks.html", page=items, forms=forms, liftable=liftable)


@bp.get("/moderazione/blocchi")
@login_required
def blocks():
    require(can_moderate_anything(current_user))
    return _blocks_page()


@bp.post("/moderazione/blocchi/<id:block_id>/revoca")
@login_required
@limit_writes()
def lift_block(block_id):
    block = queries.load_block(block_id)
    form = LiftBlockForm(prefix=f"revoca-{block.id}")
    if form.validate_on_submit() and attempt(services.lift_block, current_user, block, form.reason.data,
                                             form=form, on_form=True):
        flash(_("Blocco di %(name)s revocato: può di nuovo commentare e proporre.",
                name=block.user.display_name), "success")
        return redirect(url_for("moderation.blocks"))
    return _blocks_page(failed=(block.id, form))


# ---- the log -------------------------------------------------------------------------------

@bp.get("/moderazione/registro")
@login_required
def log():
    require(can_moderate_anything(current_user))
    decisions = request.args.get("vista") == "decisioni"
    query = queries.decisions_select(current_user) if decisions else queries.log_select(current_user)
    return render_template("moderation/log.html", page=_paginate(query), decisions=decisions,
                           content_url=content_url)
