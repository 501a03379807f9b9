"""Outcome pages: an outcome with its milestones, links and files; the staff's forms for it and
its milestones; a city's outcomes by status. The project sheet's and the proposal page's blocks
are page sections (core/sections.py) added in connect()."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.page_cache import public_page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.core.sections import sections_of
from civiclab.extensions import db
from civiclab.outcomes import bp, queries, services
from civiclab.outcomes.forms import MilestoneForm, OutcomeForm, ReachForm
from civiclab.outcomes.permissions import can_edit_outcome, can_manage_outcomes
from civiclab.places.queries import load_city
from civiclab.programmes.queries import load_project
from civiclab.proposals import attachments


def _back_to(outcome):
    return redirect(url_for("outcomes.outcome", outcome_id=outcome.id))


# ---- the outcome's page ---------------------------------------------------------------------

@bp.get("/risultati/<id:outcome_id>")
@public_page
def outcome(outcome_id):
    outcome = queries.load_outcome(outcome_id)
    can_edit = can_edit_outcome(current_user, outcome)
    # Forms only for who edits: a form makes a CSRF token, which would keep visitors' pages from
    # being shared (core/page_cache.py).
    return page("outcomes/outcome.html", outcome=outcome, project=outcome.project,
                children=queries.children_of(outcome), milestones=outcome.milestones,
                proposals=queries.adopted_proposals(outcome), events=queries.linked_events(outcome),
                attachments=queries.attachments_of(outcome), can_edit=can_edit,
                button_form=ButtonForm() if can_edit else None, reach_form=ReachForm() if can_edit else None,
                sections=sections_of("outcome", outcome))


# ---- the staff's forms ---------------------------------------------------------------------

def _outcome_form(project, outcome=None, **kwargs):
    form = OutcomeForm(**kwargs)
    is_parent = outcome is not None and bool(queries.children_of(outcome))
    return form.with_choices(services.ensure_statuses(project.city), queries.parent_choices(outcome, project),
                             queries.adoptable_proposals(project), queries.linkable_events(project),
                             is_parent=is_parent)


def _form_page(form, project, outcome, action_url):
    return page("outcomes/outcome_form.html", form=form, project=project, outcome=outcome, action_url=action_url,
                attachments=queries.attachments_of(outcome) if outcome else [], button_form=ButtonForm())


def _attach(outcome, form):
    services.add_attachments(current_user, outcome, attachments.receive_all(form.files()))
    return outcome


def _create(project, form):
    return _attach(services.create_outcome(current_user, project, **form.to_values()), form)


def _update(outcome, form):
    return _attach(services.update_outcome(current_user, outcome, **form.to_values()), form)


@bp.route("/progetti/<code>/risultati/nuovo", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat
def outcome_new(code):
    project = load_project(code)
    require(can_manage_outcomes(current_user, project))
    form = _outcome_form(project)
    if form.validate_on_submit() and (done := attempt(_create, project, form, form=form)):
        flash(_("Risultato pubblicato.") if done.value.published else _("Bozza del risultato salvata."), "success")
        return _back_to(done.value)
    return _form_page(form, project, None, url_for("outcomes.outcome_new", code=project.code))


@bp.route("/risultati/<id:outcome_id>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def outcome_edit(outcome_id):
    outcome = queries.load_outcome(outcome_id, for_="edit")
    project = outcome.project
    form = _outcome_form(project, outcome, data=OutcomeForm.data_from(outcome, *queries.linked_ids(outcome)))
    if form.validate_on_submit() and attempt(_update, outcome, form, form=form):
        flash(_("Modifiche salvate."), "success")
        return _back_to(outcome)
    return _form_page(form, project, outcome, url_for("outcomes.outcome_edit", outcome_id=outcome.id))


@bp.post("/risultati/<id:outcome_id>/elimina")
@login_required
@limit_writes()
def outcome_delete(outcome_id):
    outcome = queries.load_outcome(outcome_id, for_="edit")
    project = outcome.project
    if ButtonForm().validate_on_submit() and attempt(services.delete_outcome, current_user, outcome):
        flash(_("Risultato eliminato."), "success")
        return redirect(url_for("programmes.project", code=project.code))
    return _back_to(outcome)


# ---- milestones ----------------------------------------------------------------------------

@bp.route("/risultati/<id:outcome_id>/tappe/nuova", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat
def milestone_new(outcome_id):
    outcome = queries.load_outcome(outcome_id, for_="edit")
    form = MilestoneForm()
    if form.validate_on_submit() and attempt(services.add_milestone, current_user, outcome, form=form,
                                             **form.to_values()):
        flash(_("Tappa aggiunta."), "success")
        return _back_to(outcome)
    return page("outcomes/milestone_form.html", form=form, outcome=outcome, milestone=None,
                action_url=url_for("outcomes.milestone_new", outcome_id=outcome.id))


@bp.route("/risultati/<id:outcome_id>/tappe/<id:milestone_id>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def milestone_edit(outcome_id, milestone_id):
    outcome = queries.load_outcome(outcome_id, for_="edit")
    milestone = queries.milestone_of(outcome, milestone_id)
    form = MilestoneForm(data=MilestoneForm.data_from(milestone))
    if form.validate_on_submit() and attempt(services.update_milestone, current_user, milestone, form=form,
                                             **form.to_values()):
        flash(_("Tappa modificata."), "success")
        return _back_to(outcome)
    return page("outcomes/milestone_form.html", form=form, outcome=outcome, milestone=milestone,
                action_url=url_for("outcomes.milestone_edit", outcome_id=outcome.id, milestone_id=milestone.id))


@bp.post("/risultati/<id:outcome_id>/tappe/<id:milestone_id>/elimina")
@login_required
@limit_writes()
def milestone_delete(outcome_id, milestone_id):
    outcome = queries.load_outcome(outcome_id, for_="edit")
    milestone = queries.milestone_of(outcome, milestone_id)
    if ButtonForm().validate_on_submit() and attempt(services.delete_milestone, current_user, milestone):
        flash(_("Tappa eliminata."), "success")
    return _back_to(outcome)


@bp.post("/risultati/<id:outcome_id>/tappe/<id:milestone_id>/raggiunta")
@login_required
@limit_writes()
def milestone_reach(outcome_id, milestone_id):
    outcome = queries.load_outcome(outcome_id, for_="edit")
    milestone = queries.milestone_of(outcome, milestone_id)
    form = ReachForm()
    if form.validate_on_submit():
        if attempt(services.reach_milestone, current_user, milestone, form.reached_on.data):
            flash(_("Tappa segnata come raggiunta."), "success")
    else:
        for error in form.reached_on.errors:
            flash(error, "danger")
    return _back_to(outcome)


@bp.post("/risultati/<id:outcome_id>/tappe/<id:milestone_id>/non-raggiunta")
@login_required
@limit_writes()
def milestone_unreach(outcome_id, milestone_id):
    outcome = queries.load_outcome(outcome_id, for_="edit")
    milestone = queries.milestone_of(outcome, milestone_id)
    if ButtonForm().validate_on_submit() and attempt(services.unreach_milestone, current_user, milestone):
        flash(_("Tappa segnata come non raggiunta."), "success")
    return _back_to(outcome)


# ---- attachments (added with the outcome's form) --------------------------------------------

@bp.get("/risultati/<id:outcome_id>/allegati/<id:attachment_id>")
def attachment(outcome_id, attachment_id):
    """The file with the type its content proved; PDFs are downloaded, never shown in our origin."""
    return attachments.send(queries.attachment_of(queries.load_outcome(outcome_id), attachment_id))


@bp.post("/risultati/<id:outcome_id>/allegati/<id:attachment_id>/elimina")
@login_required
@limit_writes()
def attachment_delete(outcome_id, attachment_id):
    outcome = queries.load_outcome(outcome_id, for_="edit")
    attachment = queries.attachment_of(outcome, attachment_id)
    if ButtonForm().validate_on_submit() and attempt(services.delete_attachment, current_user, attachment):
        flash(_("Allegato «%(name)s» tolto.", name=attachment.filename), "success")
    return redirect(url_for("outcomes.outcome_edit", outcome_id=outcome.id))


# ---- a city's outcomes ---------------------------------------------------------------------

@bp.get("/citta/<slug>/risultati")
@public_page
def city_outcomes(slug):
    city = load_city(slug)
    found = db.paginate(queries.city_outcomes_select(city.id), page=page_number(),
                        per_page=queries.CITY_PAGE_SIZE, error_out=False)
    return page("outcomes/city_outcomes.html", city=city, page=found,
                groups=queries.group_by_status(found.items))
