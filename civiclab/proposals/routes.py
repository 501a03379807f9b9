"""Proposal pages: writing and editing one (with its attachments), its page with supports, history
and reports, withdrawing it, and the author's own list. The call pages are in call_routes.py."""
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.accounts.blocks import ensure_not_blocked
from civiclab.comments.queries import thread_for as comment_thread
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import show_domain_error
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.extensions import db, limiter
from civiclab.follows.services import is_following
from civiclab.proposals import (
    attachments,
    bp,
    call_routes,
    personal_data,  # noqa: F401  (the export sections and deletion rules)
    queries,
    services,
)
from civiclab.proposals.forms import ActionForm, ProposalForm, ReportForm, WithdrawForm
from civiclab.proposals.models import ProposalState
from civiclab.proposals.permissions import (
    can_contribute,
    can_edit_proposal,
    can_propose,
    can_see_history,
    can_support,
    can_view_proposal,
)


def _load_proposal(proposal_id):
    proposal = db.first_or_404(queries.proposal_select(proposal_id))
    if not can_view_proposal(current_user, proposal):
        abort(404)  # a draft or a proposal under review does not exist for others
    return proposal


def _own_proposal(proposal_id):
    proposal = _load_proposal(proposal_id)
    require(current_user.is_authenticated and proposal.author_id == current_user.id)
    return proposal


# ---- the proposal page ---------------------------------------------------------------------

def _proposal_page(proposal, status=200, report_form=None):
    viewer = current_user
    return render_template(
        "proposals/proposal.html", proposal=proposal, call=proposal.call,
        is_author=viewer.is_authenticated and proposal.author_id == viewer.id,
        can_edit=can_edit_proposal(viewer, proposal),
        can_support=can_support(viewer, proposal),
        supported=services.has_supported(viewer, proposal),
        history=queries.history(proposal) if can_see_history(viewer, proposal) else None,
        change_request=queries.pending_change_request(proposal) if can_see_history(viewer, proposal) else None,
        report_form=report_form or (ReportForm() if can_contribute(viewer) else None),
        action_form=ActionForm(),
        thread=comment_thread(proposal) if proposal.state.is_public else None,
        comment_target={"proposal_id": proposal.id},
        following=is_following(viewer, proposal),
    ), status


@bp.get("/proposte/<id:proposal_id>")
def proposal(proposal_id):
    return _proposal_page(_load_proposal(proposal_id))


def _act(proposal, action, done_message):
    """Run a button's service; a refusal of the rules is shown on the page (422)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action()
    except NotAllowed:
        raise
    except DomainError as error:
        flash(error.message, "danger")
        return _proposal_page(proposal, status=422)
    flash(done_message, "success")
    return redirect(url_for("proposals.proposal", proposal_id=proposal.id))


@bp.post("/proposte/<id:proposal_id>/sostieni")
@login_required
@limiter.limit(write_limit)
def support(proposal_id):
    proposal = _load_proposal(proposal_id)
    return _act(proposal, lambda: services.support(current_user, proposal),
                _("Hai sostenuto la proposta. Grazie!"))


@bp.post("/proposte/<id:proposal_id>/ritira-sostegno")
@login_required
@limiter.limit(write_limit)
def withdraw_support(proposal_id):
    proposal = _load_proposal(proposal_id)
    return _act(proposal, lambda: services.withdraw_support(current_user, proposal),
                _("Hai ritirato il tuo sostegno."))


@bp.post("/proposte/<id:proposal_id>/invia")
@login_required
@limiter.limit(write_limit)
def submit(proposal_id):
    proposal = _own_proposal(proposal_id)
    return _act(proposal, lambda: services.submit_proposal(current_user, proposal),
                _("Proposta inviata ai facilitatori: riceverai una notifica quando la valutano."))


@bp.route("/proposte/<id:proposal_id>/ritira", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def withdraw(proposal_id):
    proposal = _own_proposal(proposal_id)
    if proposal.state is not ProposalState.ACCEPTED:
        flash(_("Si possono ritirare solo le proposte pubblicate."), "warning")
        return redirect(url_for("proposals.proposal", proposal_id=proposal.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_proposal(current_user, proposal, form.reason.data)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            flash(_("Proposta ritirata: non compare più tra le proposte pubblicate."), "success")
            return redirect(url_for("proposals.proposal", proposal_id=proposal.id))
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/withdraw.html", form=form, proposal=proposal), status


# ---- writing and editing -------------------------------------------------------------------

def _proposal_form(call, **kwargs):
    return ProposalForm(**kwargs).with_choices(call, queries.city_labs(call.city_id))


def _files_then_send(form, proposal):
    """After the text is saved: its new attachments, then submission if "Invia" was pressed."""
    _save_files(form, proposal)
    if form.send.data:
        services.submit_proposal(current_user, proposal)


def _save_files(form, proposal):
    """Attach every chosen file, or none; DomainError (on "files") if one fails."""
    services.add_attachments(current_user, proposal, attachments.receive_all(form.files()))


@bp.route("/call/<id:call_id>/proponi", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def proposal_new(call_id):
    call = call_routes.load_call(call_id)
    if not can_propose(current_user, call):
        abort(403)
    ensure_not_blocked(current_user)  # the block's message, before anybody writes for nothing
    if not call.allows("submit"):
        flash(_("La call non accetta proposte in questa fase (%(phase)s).", phase=call.phase.label), "warning")
        return redirect(url_for("proposals.call", call_id=call.id))
    form = _proposal_form(call)
    if form.validate_on_submit():
        try:
            proposal = services.create_proposal(current_user, call, **form.to_values())
            _files_then_send(form, proposal)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Proposta inviata ai facilitatori: riceverai una notifica quando la valutano.")
                  if form.send.data else _("Bozza salvata: la vedi solo tu finché non la invii."), "success")
            return redirect(url_for("proposals.proposal", proposal_id=proposal.id))
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/proposal_form.html", form=form, call=call, proposal=None,
                           action_url=url_for("proposals.proposal_new", call_id=call.id)), status


@bp.route("/proposte/<id:proposal_id>/modifica", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def proposal_edit(proposal_id):
    proposal = _own_proposal(proposal_id)
    if not proposal.is_editable:
        flash(_("Una proposta «%(state)s» non si può più modificare.", state=proposal.state.label), "warning")
        return redirect(url_for("proposals.proposal", proposal_id=proposal.id))
    ensure_not_blocked(current_user)
    call = proposal.call
    form = _proposal_form(call, data=ProposalForm.data_from(proposal))
    if form.validate_on_submit():
        try:
            services.update_proposal(current_user, proposal, **form.to_values())
            _files_then_send(form, proposal)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Proposta inviata ai facilitatori: riceverai una notifica quando la valutano.")
                  if form.send.data else _("Modifiche salvate."), "success")
            return redirect(url_for("proposals.proposal", proposal_id=proposal.id))
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/proposal_form.html", form=form, call=call, proposal=proposal,
                           action_form=ActionForm(), change_request=queries.pending_change_request(proposal),
                           action_url=url_for("proposals.proposal_edit", proposal_id=proposal.id)), status


# ---- attachments ---------------------------------------------------------------------------

def _attachment(proposal, attachment_id):
    attachment = next((a for a in proposal.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return attachment


@bp.get("/proposte/<id:proposal_id>/allegati/<id:attachment_id>")
def attachment(proposal_id, attachment_id):
    """The file with the type its content proved; PDFs are downloaded, never shown in our origin."""
    attachment = _attachment(_load_proposal(proposal_id), attachment_id)
    path = attachments.path_of(attachment)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=not attachment.is_image,
                         download_name=attachments.download_name(attachment), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/proposte/<id:proposal_id>/allegati/<id:attachment_id>/elimina")
@login_required
@limiter.limit(write_limit)
def attachment_delete(proposal_id, attachment_id):
    proposal = _own_proposal(proposal_id)
    attachment = _attachment(proposal, attachment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_attachment(current_user, attachment)
    except NotAllowed:
        raise
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("Allegato «%(name)s» tolto.", name=attachment.filename), "success")
    return redirect(url_for("proposals.proposal_edit", proposal_id=proposal.id))


# ---- the author's own ----------------------------------------------------------------------

@bp.get("/proposte/mie")
@login_required
def mine():
    page = db.paginate(queries.my_proposals_select(current_user), page=page_number(),
                       per_page=current_app.config["PER_PAGE"])
    return render_template("proposals/mine.html", page=page, reasons=queries.last_reasons(page.items))
