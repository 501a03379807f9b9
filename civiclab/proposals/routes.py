"""Proposal pages: writing and editing one (with its attachments), its page with supports and
history, withdrawing it, and the author's own list. The call pages are in call_routes.py; the
comments, the follow button and the report form on a proposal's page are the sections higher
floors add (core/sections.py)."""
from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.accounts.blocks import ensure_not_blocked
from civiclab.accounts.identity_rule import IDENTITY_NEEDED
from civiclab.accounts.permissions import meets_identity_requirement
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.page_cache import public_page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.core.sections import sections_of
from civiclab.extensions import db
from civiclab.proposals import attachments, bp, queries, services
from civiclab.proposals.forms import ProposalForm, WithdrawForm
from civiclab.proposals.permissions import (
    can_edit_proposal,
    can_propose,
    can_see_history,
    can_support,
    is_author,
)

# ---- the proposal page ---------------------------------------------------------------------

def _needs_identity_to_send(user, proposal):
    """Whether sending this draft would be refused for want of a verified identity (the service's
    rule, services.submit_proposal): the page explains instead of showing the button."""
    return proposal.is_draft and not meets_identity_requirement(user, proposal.call.proposals_require_identity)


def _proposal_page(proposal):
    """The proposal's page (422 when a button's action was refused)."""
    viewer = current_user
    sees_history = can_see_history(viewer, proposal)
    supporter = can_support(viewer, proposal)
    return page(
        "proposals/proposal.html", proposal=proposal, call=proposal.call,
        is_author=is_author(viewer, proposal),
        can_edit=can_edit_proposal(viewer, proposal),
        can_support=supporter,
        needs_identity_to_support=supporter and not meets_identity_requirement(
            viewer, proposal.call.supports_require_identity),
        needs_identity_to_send=_needs_identity_to_send(viewer, proposal),
        supported=services.has_supported(viewer, proposal),
        history=queries.history(proposal) if sees_history else None,
        change_request=queries.pending_change_request(proposal) if sees_history else None,
        button_form=ButtonForm() if viewer.is_authenticated else None,  # visitors: no token (page cache)
        sections=sections_of("proposal", proposal),
    )


def _back_to(proposal):
    return redirect(url_for("proposals.proposal", proposal_id=proposal.id))


@bp.get("/proposte/<id:proposal_id>")
@public_page
def proposal(proposal_id):
    return _proposal_page(queries.load_proposal(proposal_id))


@bp.post("/proposte/<id:proposal_id>/sostieni")
@login_required
@limit_writes()
def support(proposal_id):
    proposal = queries.load_proposal(proposal_id)
    if ButtonForm().validate_on_submit() and attempt(services.support, current_user, proposal):
        flash(_("Hai sostenuto la proposta. Grazie!"), "success")
        return _back_to(proposal)
    return _proposal_page(proposal)


@bp.post("/proposte/<id:proposal_id>/ritira-sostegno")
@login_required
@limit_writes()
def withdraw_support(proposal_id):
    proposal = queries.load_proposal(proposal_id)
    if ButtonForm().validate_on_submit() and attempt(services.withdraw_support, current_user, proposal):
        flash(_("Hai ritirato il tuo sostegno."), "success")
        return _back_to(proposal)
    return _proposal_page(proposal)


@bp.post("/proposte/<id:proposal_id>/invia")
@login_required
@limit_writes()
def submit(proposal_id):
    proposal = queries.load_proposal(proposal_id, for_="submit")
    if ButtonForm().validate_on_submit() and attempt(services.submit_proposal, current_user, proposal):
        flash(_("Proposta inviata ai facilitatori: riceverai una notifica quando la valutano."), "success")
        return _back_to(proposal)
    return _proposal_page(proposal)


@bp.route("/proposte/<id:proposal_id>/ritira", methods=["GET", "POST"])
@login_required
@limit_writes()
def withdraw(proposal_id):
    proposal = queries.load_proposal(proposal_id, for_="withdraw")
    if not proposal.can_be_withdrawn:
        flash(_("Si possono ritirare solo le proposte pubblicate."), "warning")
        return _back_to(proposal)
    form = WithdrawForm()
    if form.validate_on_submit() and attempt(services.withdraw_proposal, current_user, proposal,
                                             form.reason.data, form=form, on_form=True):
        flash(_("Proposta ritirata: non compare più tra le proposte pubblicate."), "success")
        return _back_to(proposal)
    return page("proposals/withdraw.html", form=form, proposal=proposal)


# ---- writing and editing -------------------------------------------------------------------

def _proposal_form(call, **kwargs):
    return ProposalForm(**kwargs).with_choices(call, queries.city_labs(call.city_id))


def _attach_then_send(form, proposal):
    """After the text is saved: its new attachments (every chosen file, or none: a DomainError on
    "files" if one fails), then submission if "Invia" was pressed."""
    services.add_attachments(current_user, proposal, attachments.receive_all(form.files()))
    if form.send.data:
        services.submit_proposal(current_user, proposal)
    return proposal


def _create(call, form):
    return _attach_then_send(form, services.create_proposal(current_user, call, **form.to_values()))


def _update(proposal, form):
    return _attach_then_send(form, services.update_proposal(current_user, proposal, **form.to_values()))


@bp.route("/call/<id:call_id>/proponi", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def proposal_new(call_id):
    call = queries.load_call(call_id)
    require(can_propose(current_user, call))
    ensure_not_blocked(current_user)  # the block's message, before anybody writes for nothing
    if not call.allows("submit"):
        flash(_("La call non accetta proposte in questa fase (%(phase)s).", phase=call.phase.label), "warning")
        return redirect(url_for("proposals.call", call_id=call.id))
    if not meets_identity_requirement(current_user, call.proposals_require_identity):
        flash(str(IDENTITY_NEEDED), "warning")  # before anybody writes for nothing
        return redirect(url_for("proposals.call", call_id=call.id))
    form = _proposal_form(call)
    if form.validate_on_submit() and (done := attempt(_create, call, form, form=form)):
        flash(_("Proposta inviata ai facilitatori: riceverai una notifica quando la valutano.")
              if form.send.data else _("Bozza salvata: la vedi solo tu finché non la invii."), "success")
        return _back_to(done.value)
    return page("proposals/proposal_form.html", form=form, call=call, proposal=None,
                action_url=url_for("proposals.proposal_new", call_id=call.id))


@bp.route("/proposte/<id:proposal_id>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def proposal_edit(proposal_id):
    proposal = queries.load_proposal(proposal_id, for_="edit")
    if not proposal.is_editable:
        flash(_("Una proposta «%(state)s» non si può più modificare.", state=proposal.state.label), "warning")
        return _back_to(proposal)
    ensure_not_blocked(current_user)
    call = proposal.call
    form = _proposal_form(call, data=ProposalForm.data_from(proposal))
    if form.validate_on_submit() and attempt(_update, proposal, form, form=form):
        flash(_("Proposta inviata ai facilitatori: riceverai una notifica quando la valutano.")
              if form.send.data else _("Modifiche salvate."), "success")
        return _back_to(proposal)
    return page("proposals/proposal_form.html", form=form, call=call, proposal=proposal,
                button_form=ButtonForm(), change_request=queries.pending_change_request(proposal),
                needs_identity_to_send=_needs_identity_to_send(current_user, proposal),
                action_url=url_for("proposals.proposal_edit", proposal_id=proposal.id))


# ---- attachments ---------------------------------------------------------------------------

def _attachment(proposal, attachment_id):
    attachment = next((a for a in proposal.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return attachment


@bp.get("/proposte/<id:proposal_id>/allegati/<id:attachment_id>")
def attachment(proposal_id, attachment_id):
    """The file with the type its content proved; PDFs are downloaded, never shown in our origin."""
    return attachments.send(_attachment(queries.load_proposal(proposal_id), attachment_id))


@bp.post("/proposte/<id:proposal_id>/allegati/<id:attachment_id>/elimina")
@login_required
@limit_writes()
def attachment_delete(proposal_id, attachment_id):
    proposal = queries.load_proposal(proposal_id, for_="edit")
    attachment = _attachment(proposal, attachment_id)
    if ButtonForm().validate_on_submit() and attempt(services.delete_attachment, current_user, attachment):
        flash(_("Allegato «%(name)s» tolto.", name=attachment.filename), "success")
    return redirect(url_for("proposals.proposal_edit", proposal_id=proposal.id))


# ---- the author's own ----------------------------------------------------------------------

@bp.get("/proposte/mie")
@login_required
def mine():
    found = db.paginate(queries.my_proposals_select(current_user), page=page_number(),
                        per_page=current_app.config["PER_PAGE"])
    return page("proposals/mine.html", page=found, reasons=queries.last_reasons(found.items))
