"""Call pages: the public list, a call with its public proposals, the municipality's call sheet,
publishing, and the similar proposals shown while a title is typed."""
from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from civiclab.accounts.permissions import meets_identity_requirement
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import filter_id
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.page_cache import public_page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.core.sections import sections_of
from civiclab.extensions import db
from civiclab.places.models import City, Lab
from civiclab.programmes.models import Project
from civiclab.proposals import bp, queries, services
from civiclab.proposals.forms import CallFilterForm, CallForm, ProposalFilterForm
from civiclab.proposals.permissions import can_edit_call, can_manage_calls

# ---- public pages --------------------------------------------------------------------------

@bp.get("/call")
@public_page
def calls():
    form = CallFilterForm(formdata=request.args)
    cities = queries.city_choices()
    form.citta.choices = [SelectChoice("", _("Tutte le città"))] + [SelectChoice(c.slug, c.name) for c in cities]
    city = next((c for c in cities if c.slug == form.citta.data), None)
    found = db.paginate(queries.calls_select(current_user, city_id=city.id if city else None),
                        page=page_number(), per_page=current_app.config["PER_PAGE"])
    return page("proposals/calls.html", page=found, form=form, city=city,
                managed_cities=queries.managed_cities(current_user))


def _visitor_seed():
    """The visitor's random order, kept in the session so pages follow one another."""
    seed = queries.valid_seed(session.get("proposal_seed"))
    if seed is None:
        session["proposal_seed"] = queries.new_random_seed()
        seed = tuple(session["proposal_seed"])
    return seed


@bp.get("/call/<id:call_id>")
@public_page
def call(call_id):
    call = queries.load_call(call_id)
    form = ProposalFilterForm(formdata=request.args).with_themes(call)
    form.validate()
    filters = queries.ProposalFilters(sort=form.sort(), theme_id=form.theme_id(), text=form.text())
    if filters.sort == "casuale":
        filters.seed = _visitor_seed()
    found = queries.proposals_page(call, filters, per_page=current_app.config["PER_PAGE"])
    filter_args = {name: value for name, value in request.args.items()
                   if name in ("q", "tema", "ordine") and value}
    can_edit = can_edit_call(current_user, call)
    return page("proposals/call.html", status=422 if form.errors else 200,
                call=call, page=found, form=form, filter_args=filter_args,
                can_edit=can_edit, button_form=ButtonForm() if can_edit else None,
                # a visitor is asked to sign in, as always; an account without an identity is told why not
                needs_identity_to_propose=current_user.is_authenticated and not meets_identity_requirement(
                    current_user, call.proposals_require_identity),
                sections=sections_of("call", call))


@bp.get("/call/<id:call_id>/proposte-simili")
def similar(call_id):
    """JSON for static/js/similar-proposals.js: [{id, title, url}] of public proposals of the call;
    its errors are JSON too, whatever the request accepts."""
    call = queries.visible_call(call_id, current_user)
    if call is None:
        return jsonify(error=_("Call non trovata.")), 404
    text = request.args.get("titolo", "")
    if len(text) > 500:
        return jsonify(error=_("Il testo è troppo lungo.")), 400
    exclude = filter_id(request.args.get("escludi"))
    return jsonify([
        {"id": row.id, "title": row.title, "url": url_for("proposals.proposal", proposal_id=row.id)}
        for row in queries.similar_proposals(call, text, exclude_id=exclude)
    ])


# ---- the municipality's call sheet ---------------------------------------------------------

def _form_with_choices(form, city):
    form.project_id.choices = [SelectChoice(0, _("Scegli il progetto"))] + [
        SelectChoice(project.id, f"{project.code} · {project.title}") for project in queries.city_projects(city.id)]
    form.lab_id.choices = [SelectChoice(0, _("Nessun laboratorio"))] + [
        SelectChoice(lab.id, lab.name) for lab in queries.city_labs(city.id)]
    return form


def _subjects(form):
    """The project and lab the form chose (None when none was chosen)."""
    project = db.session.get(Project, form.project_id.data) if form.project_id.data else None
    lab = db.session.get(Lab, form.lab_id.data) if form.lab_id.data else None
    return project, lab


def _update(call, form):
    """The call sheet saved: its project and lab, then the rest."""
    project, lab = _subjects(form)
    services.set_call_subjects(current_user, call, project, lab)
    return services.update_call(current_user, call, **form.to_values())


@bp.route("/gestione/citta/<city_slug>/call/nuova", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def call_new(city_slug):
    city = db.first_or_404(db.select(City).filter_by(slug=city_slug))
    require(can_manage_calls(current_user, city))
    project_id = filter_id(request.args.get("progetto"))
    form = _form_with_choices(CallForm(data={"project_id": project_id or 0}), city)
    if form.validate_on_submit():
        project, lab = _subjects(form)
        done = attempt(services.create_call, current_user, city=city, project=project, lab=lab, form=form,
                       **form.to_values())
        if done:
            flash(_("Call «%(title)s» salvata: pubblicala quando è pronta.", title=done.value.title), "success")
            return redirect(url_for("proposals.call", call_id=done.value.id))
    return page("proposals/call_form.html", form=form, city=city, call=None,
                action_url=url_for("proposals.call_new", city_slug=city.slug))


@bp.route("/call/<id:call_id>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def call_edit(call_id):
    call = queries.load_call(call_id, for_="manage")
    form = _form_with_choices(CallForm(data=CallForm.data_from(call)), call.city)
    if form.validate_on_submit() and attempt(_update, call, form, form=form):
        flash(_("Call aggiornata."), "success")
        return redirect(url_for("proposals.call", call_id=call.id))
    return page("proposals/call_form.html", form=form, city=call.city, call=call,
                action_url=url_for("proposals.call_edit", call_id=call.id))


@bp.post("/call/<id:call_id>/pubblica")
@login_required
@limit_writes()
def call_publish(call_id):
    call = queries.load_call(call_id, for_="manage")
    if ButtonForm().validate_on_submit() and attempt(services.publish_call, current_user, call, True):
        flash(_("Call pubblicata: ora è visibile a tutti."), "success")
    return redirect(url_for("proposals.call", call_id=call.id))


@bp.post("/call/<id:call_id>/ritira-pubblicazione")
@login_required
@limit_writes()
def call_unpublish(call_id):
    call = queries.load_call(call_id, for_="manage")
    if ButtonForm().validate_on_submit() and attempt(services.publish_call, current_user, call, False):
        flash(_("Call ritirata: la vedono solo il Comune e gli amministratori."), "success")
    return redirect(url_for("proposals.call", call_id=call.id))
