"""Pages of the moderation domain: the facilitators' proposal queue and decisions, the reports
queue, blocks, and the log of every moderation action."""
import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from civiclab.moderation import bp
from civiclab.accounts.models import User
from civiclab.comments.models import Comment
from civiclab.comments.permissions import can_moderate_comment
from civiclab.core.errors import DomainError
from civiclab.core.forms import filter_id, show_domain_error
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.extensions import db, limiter
from civiclab.moderation import (
    personal_data,  # noqa: F401  (the export sections and deletion rules)
    queries,
    services,
)
from civiclab.accounts.blocks import active_block
from civiclab.moderation.forms import (
    ALL_STATES,
    DECISIONS,
    BlockForm,
    DecisionForm,
    LiftBlockForm,
    QueueFilterForm,
    ResolveReportsForm,
)
from civiclab.accounts.blocks import UserBlock
from civiclab.moderation.permissions import can_block_user, can_block_users, can_lift_block
from civiclab.proposals import queries as proposal_queries
from civiclab.proposals import services as proposal_services
from civiclab.proposals.models import Proposal, ProposalState
from civiclab.proposals.permissions import can_moderate_proposal
from civiclab.rooms.models import Message
from civiclab.rooms.permissions import can_moderate_room



@bp.app_context_processor
def moderation_menu():
    """For the header: whether to show Moderazione, and the submitted proposals waiting (one
    COUNT per request, only for moderators, only when asked)."""

    def moderation_waiting():
        if not queries.moderates_any_call(current_user):
            return 0
        if "moderation_waiting" not in g:
            try:
                g.moderation_waiting = queries.waiting_count(current_user)
            except sa.exc.SQLAlchemyError:
                db.session.rollback()  # an error page after a broken transaction still renders
                g.moderation_waiting = 0
        return g.moderation_waiting

    return {"can_moderate_anything": queries.moderates_any_call, "moderation_waiting": moderation_waiting}


@bp.context_processor
def content_links():
    return {"content_url": content_url, "decision_labels": DECISIONS}


def content_url(target):
    """Where a reported or moderated comment, proposal or room message is read."""
    if isinstance(target, Message):
        return url_for("rooms.room", room_id=target.room_id, _anchor=f"messaggio-{target.id}")
    if isinstance(target, Comment):
        if target.proposal_id is not None:
            page = _proposal_url(target.proposal_id)
        else:
            page = url_for("programmes.project", code=target.project.code)
        return f"{page}#commento-{target.id}"
    return _proposal_url(target.id)


def _proposal_url(proposal_id):
    return url_for("proposals.proposal", proposal_id=proposal_id)


def _get_or_404(model, row_id):
    """The row, or 404."""
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    return row


def _paginate(query):
    return db.paginate(query, page=page_number(), per_page=current_app.config["PER_PAGE"], error_out=False)


# ---- the proposal queue --------------------------------------------------------------------

@bp.get("/moderazione/proposte")
@login_required
def proposal_queue():
    require(queries.moderates_any_call(current_user))
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
@limiter.limit(write_limit, methods=["POST"])
def proposal_decision(proposal_id):
    proposal = db.first_or_404(queries.proposal_for_decision(proposal_id))
    if proposal.state is ProposalState.DRAFT:
        abort(404)  # a draft is its author's alone
    require(can_moderate_proposal(current_user, proposal))
    form = DecisionForm(allowed=_allowed_decisions(proposal))
    if form.validate_on_submit():
        new_state = form.new_state()
        try:
            proposal_services.moderate_proposal(current_user, proposal, new_state, form.reason.data)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            flash(_("Decisione registrata: «%(title)s» ora è «%(state)s». L'autore riceve il motivo.",
                    title=proposal.title, state=proposal.state.label), "success")
            return redirect(url_for("moderation.proposal_queue"))
    status = 422 if form.is_submitted() else 200
    return render_template("moderation/decision.html", proposal=proposal, form=form,
                           call_open=proposal.call.allows("moderate"),
                           changes=proposal_queries.resubmission_changes(proposal)), status


# ---- reports -------------------------------------------------------------------------------

def _reports_page(failed=None, status=200):
    """The open reports the user may moderate, a page of contents; `failed`: a form to show
    again with its errors in place of its content's empty form."""
    require(can_block_users(current_user))
    contents = queries.open_reported_contents(current_user)
    per_page = current_app.config["PER_PAGE"]
    last = max(1, -(-len(contents) // per_page))
    page = queries.ListPagination(page=min(page_number(), last), per_page=per_page, error_out=False,
                                  items=contents)
    forms = {content.key: ResolveReportsForm(prefix=content.key, formdata=None) for content in page.items}
    _show_failed(forms, failed)
    # The author of a content of a city is active there: whether the viewer may block them.
    blockable = {content.key: can_block_user(current_user, content.target.author, {queries.city_of(content.target)})
                 for content in page.items}
    return render_template("moderation/reports.html", page=page, forms=forms, blockable=blockable), status


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


REPORTED = {"commento": Comment, "proposta": Proposal, "messaggio": Message}


@bp.post("/moderazione/segnalazioni/<any(commento, proposta, messaggio):kind>/<id:target_id>")
@login_required
@limiter.limit(write_limit)
def resolve_reports(kind, target_id):
    target = _get_or_404(REPORTED[kind], target_id)
    if kind == "messaggio":
        require(can_moderate_room(current_user, target.room))
    else:
        require(can_moderate_comment(current_user, target) if kind == "commento"
                else can_moderate_proposal(current_user, target))
    key = f"{kind}-{target_id}"  # ReportedContent.key: each content's form has its own prefix
    form = ResolveReportsForm(prefix=key)
    if form.validate_on_submit():
        try:
            services.resolve_reports(current_user, target, form.upheld, form.reason.data)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
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
    return _reports_page(failed=(key, form), status=422)


# ---- blocks --------------------------------------------------------------------------------

@bp.route("/moderazione/utenti/<id:user_id>/blocca", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def block_user(user_id):
    require(can_block_users(current_user))
    user = _get_or_404(User, user_id)
    if user.deleted_at is not None:
        abort(404)
    services.ensure_may_block(current_user, user)  # NotAllowed: 403 saying why
    form = BlockForm()
    if form.validate_on_submit():
        try:
            services.block_user(current_user, user, form.reason.data, ends_at=form.ends_at())
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            flash(_("%(name)s è bloccato: non può commentare né proporre.", name=user.display_name), "success")
            return redirect(url_for("moderation.blocks"))
    status = 422 if form.is_submitted() else 200
    return render_template("moderation/block.html", user=user, form=form, block=active_block(user)), status


def _blocks_page(failed=None, status=200):
    page = _paginate(queries.active_blocks_select())
    forms = {block.id: LiftBlockForm(prefix=f"revoca-{block.id}", formdata=None) for block in page.items}
    _show_failed(forms, failed)
    liftable = {block.id: can_lift_block(current_user, block) for block in page.items}
    return render_template("moderation/blocks.html", page=page, forms=forms, liftable=liftable), status


@bp.get("/moderazione/blocchi")
@login_required
def blocks():
    require(can_block_users(current_user))
    return _blocks_page()


@bp.post("/moderazione/blocchi/<id:block_id>/revoca")
@login_required
@limiter.limit(write_limit)
def lift_block(block_id):
    require(can_block_users(current_user))
    block = _get_or_404(UserBlock, block_id)
    require(can_lift_block(current_user, block))
    form = LiftBlockForm(prefix=f"revoca-{block.id}")
    if form.validate_on_submit():
        try:
            services.lift_block(current_user, block, form.reason.data)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            flash(_("Blocco di %(name)s revocato: può di nuovo commentare e proporre.",
                    name=block.user.display_name), "success")
            return redirect(url_for("moderation.blocks"))
    return _blocks_page(failed=(block.id, form), status=422)


# ---- the log -------------------------------------------------------------------------------

@bp.get("/moderazione/registro")
@login_required
def log():
    require(can_block_users(current_user))
    decisions = request.args.get("vista") == "decisioni"
    query = queries.decisions_select(current_user) if decisions else queries.log_select(current_user)
    return render_template("moderation/log.html", page=_paginate(query), decisions=decisions)
