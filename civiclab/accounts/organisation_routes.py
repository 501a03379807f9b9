"""Pages of organisations: list and search, the organisation page, joining, deciding requests."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.accounts import bp, organisations
from civiclab.accounts.forms import OrganisationSearchForm, VerificationForm
from civiclab.accounts.permissions import (
    can_approve_membership,
    can_request_membership,
    can_see_member_emails,
    can_see_organisations_to_verify,
    membership_of,
)
from civiclab.accounts.queries import load_membership, load_organisation
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import login_required_confirmed, require

DECISIONS = {"approve": True, "refuse": False}


@bp.get("/organizzazioni", endpoint="organisations")
def organisations_list():
    form = OrganisationSearchForm(formdata=request.args)
    form.validate()
    page_obj = organisations.search_organisations(
        form.q.data or "", form.kind, page=max(page_number(), 1), per_page=current_app.config["PER_PAGE"]
    )
    counts = organisations.active_member_counts([org.id for org in page_obj.items])
    return render_template("accounts/organisations.html", form=form, page_obj=page_obj, counts=counts)


@bp.get("/organizzazioni/<id:org_id>", endpoint="organisation")
def organisation_page(org_id):
    return _organisation_page(load_organisation(org_id))


def _organisation_page(organisation, decision_form=None):
    """The organisation's members, and for its approvers the requests waiting; a decision that
    did not go through is shown again with its error (422)."""
    memberships = organisations.organisation_memberships(organisation)
    members = [m.user for m in memberships if m.is_active and m.user.is_active]
    may_approve = can_approve_membership(current_user, organisation)
    pending = [m for m in memberships if m.is_pending] if may_approve else []
    return page(
        "accounts/organisation.html",
        organisation=organisation,
        members=members,
        pending=pending,
        may_approve=may_approve,
        show_emails=can_see_member_emails(current_user, organisation),
        my_membership=membership_of(current_user, organisation),
        may_request=can_request_membership(current_user, organisation),
        action_form=ButtonForm(),
        decision_form=decision_form or ButtonForm(),
    )


@bp.post("/organizzazioni/<id:org_id>/adesione")
@login_required_confirmed
@limit_writes()
def join_organisation(org_id):
    organisation = load_organisation(org_id)
    organisations.request_membership(current_user, organisation)  # NotAllowed: 403
    flash(_("Richiesta inviata: ti scriveremo quando sarà approvata."), "success")
    return redirect(url_for("accounts.organisation", org_id=organisation.id))


@bp.post("/organizzazioni/<id:org_id>/richieste/<id:membership_id>")
@login_required
@limit_writes()
def decide_membership(org_id, membership_id):
    membership = load_membership(org_id, membership_id, for_="decide")
    approve = DECISIONS.get(request.form.get("decision", ""))
    if approve is None:
        abort(400)
    form = ButtonForm()
    if not attempt(organisations.decide_membership, current_user, membership, approve, form=form, on_form=True):
        return _organisation_page(membership.organisation, decision_form=form)
    name = membership.user.display_name
    if approve:
        flash(_("%(name)s ora è membro dell'organizzazione.", name=name), "success")
    else:
        flash(_("Richiesta di %(name)s rifiutata.", name=name), "info")
    return redirect(url_for("accounts.organisation", org_id=org_id))


# ---- verification by the city's staff ------------------------------------------------------------

def _verification_page(form=None, failed_id=None):
    page_obj = organisations.organisations_to_verify(current_user, page=max(page_number(), 1),
                                                     per_page=current_app.config["PER_PAGE"])
    forms = {org.id: form if org.id == failed_id else VerificationForm(formdata=None, prefix=f"org{org.id}")
             for org in page_obj.items}
    return page("accounts/organisations_to_verify.html", page_obj=page_obj, forms=forms)


@bp.get("/gestione/organizzazioni")
@login_required_confirmed
def organisations_to_verify():
    require(can_see_organisations_to_verify(current_user))
    return _verification_page()


@bp.post("/gestione/organizzazioni/<id:org_id>/verifica")
@login_required_confirmed
@limit_writes()
def verify_organisation(org_id):
    organisation = load_organisation(org_id, for_="verify")
    approve = DECISIONS.get(request.form.get("decision", ""))
    form = VerificationForm(prefix=f"org{organisation.id}")
    if approve is None or not form.validate_on_submit():
        if approve is None or form.csrf_token.errors:
            abort(400)
        return _verification_page(form, organisation.id)
    if not attempt(organisations.decide_verification, current_user, organisation, approve, form.reason.data or "",
                   form=form, on_form=True):
        return _verification_page(form, organisation.id)
    if approve:
        flash(_("%(name)s è verificata: chi ne fa parte ora agisce a suo nome.", name=organisation.name), "success")
    else:
        flash(_("%(name)s non è verificata: chi l'ha registrata ne legge il motivo.", name=organisation.name), "info")
    return redirect(url_for("accounts.organisations_to_verify"))
