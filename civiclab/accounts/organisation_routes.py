"""Pages of organisations: list and search, the organisation page, joining, deciding requests."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.accounts import organisations
from civiclab.accounts.forms import (
    ActionForm,
    DecisionForm,
    OrganisationSearchForm,
    VerificationForm,
)
from civiclab.accounts.models import Membership, Organisation
from civiclab.accounts.permissions import (
    can_approve_membership,
    can_decide_membership,
    can_request_membership,
    can_see_member_emails,
    can_see_organisations_to_verify,
    can_verify_organisation,
    membership_of,
)
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.forms import show_domain_error
from civiclab.core.limits import limit_posts
from civiclab.core.pagination import page_number
from civiclab.core.permissions import login_required_confirmed, require
from civiclab.extensions import db

DECISIONS = {"approve": True, "refuse": False}


def organisations_list():
    form = OrganisationSearchForm(formdata=request.args)
    form.validate()
    page = page_number()
    page_obj = organisations.search_organisations(
        form.q.data or "", form.kind, page=max(page, 1), per_page=current_app.config["PER_PAGE"]
    )
    counts = organisations.active_member_counts([org.id for org in page_obj.items])
    return render_template("accounts/organisations.html", form=form, page_obj=page_obj, counts=counts)


def organisation_page(org_id, error=None, status=200):
    organisation = db.get_or_404(Organisation, org_id)
    memberships = organisations.organisation_memberships(organisation)
    members = [m.user for m in memberships if m.is_active and m.user.is_active]
    may_approve = can_approve_membership(current_user, organisation)
    pending = [m for m in memberships if m.is_pending] if may_approve else []
    return render_template(
        "accounts/organisation.html",
        organisation=organisation,
        members=members,
        pending=pending,
        may_approve=may_approve,
        show_emails=can_see_member_emails(current_user, organisation),
        my_membership=membership_of(current_user, organisation),
        may_request=can_request_membership(current_user, organisation),
        action_form=ActionForm(),
        decision_form=DecisionForm(),
        error=error,
    ), status


@login_required_confirmed
@limit_posts("RATELIMIT_WRITE")
def join_organisation(org_id):
    organisation = db.get_or_404(Organisation, org_id)
    organisations.request_membership(current_user, organisation)  # NotAllowed: 403
    flash(_("Richiesta inviata: ti scriveremo quando sarà approvata."), "success")
    return redirect(url_for("accounts.organisation", org_id=organisation.id))


@login_required
@limit_posts("RATELIMIT_WRITE")
def decide_membership(org_id, membership_id):
    membership = db.get_or_404(Membership, membership_id)
    if membership.organisation_id != org_id:
        abort(404)
    require(can_decide_membership(current_user, membership))
    approve = DECISIONS.get(request.form.get("decision", ""))
    if approve is None:
        abort(400)
    try:
        organisations.decide_membership(current_user, membership, approve)
    except NotAllowed:
        abort(403)
    except DomainError as error:
        return organisation_page(org_id, error=error.message, status=422)
    name = membership.user.display_name
    if approve:
        flash(_("%(name)s ora è membro dell'organizzazione.", name=name), "success")
    else:
        flash(_("Richiesta di %(name)s rifiutata.", name=name), "info")
    return redirect(url_for("accounts.organisation", org_id=org_id))


# ---- verification by the city's staff ------------------------------------------------------------

def _verification_page(form=None, failed_id=None, status=200):
    page_obj = organisations.organisations_to_verify(current_user, page=max(page_number(), 1),
                                                     per_page=current_app.config["PER_PAGE"])
    forms = {org.id: form if org.id == failed_id else VerificationForm(formdata=None, prefix=f"org{org.id}")
             for org in page_obj.items}
    return render_template("accounts/organisations_to_verify.html", page_obj=page_obj, forms=forms), status


@login_required_confirmed
def organisations_to_verify():
    require(can_see_organisations_to_verify(current_user))
    return _verification_page()


@login_required_confirmed
@limit_posts("RATELIMIT_WRITE")
def verify_organisation(org_id):
    organisation = db.get_or_404(Organisation, org_id)
    require(can_verify_organisation(current_user, organisation))
    approve = DECISIONS.get(request.form.get("decision", ""))
    form = VerificationForm(prefix=f"org{organisation.id}")
    if approve is None or not form.validate_on_submit():
        if approve is None or form.csrf_token.errors:
            abort(400)
        return _verification_page(form, organisation.id, 422)
    try:
        organisations.decide_verification(current_user, organisation, approve, form.reason.data or "")
    except DomainError as error:
        show_domain_error(form, error, on_form=True)
        return _verification_page(form, organisation.id, 422)
    if approve:
        flash(_("%(name)s è verificata: chi ne fa parte ora agisce a suo nome.", name=organisation.name), "success")
    else:
        flash(_("%(name)s non è verificata: chi l'ha registrata ne legge il motivo.", name=organisation.name), "info")
    return redirect(url_for("accounts.organisations_to_verify"))


def register_organisation_routes(bp):
    bp.add_url_rule("/gestione/organizzazioni", "organisations_to_verify", organisations_to_verify,
                    methods=["GET"])
    bp.add_url_rule("/gestione/organizzazioni/<id:org_id>/verifica", "verify_organisation",
                    verify_organisation, methods=["POST"])
    bp.add_url_rule("/organizzazioni", "organisations", organisations_list, methods=["GET"])
    bp.add_url_rule("/organizzazioni/<id:org_id>", "organisation", organisation_page, methods=["GET"])
    bp.add_url_rule("/organizzazioni/<id:org_id>/adesione", "join_organisation", join_organisation,
                    methods=["POST"])
    bp.add_url_rule("/organizzazioni/<id:org_id>/richieste/<id:membership_id>", "decide_membership",
                    decide_membership, methods=["POST"])
