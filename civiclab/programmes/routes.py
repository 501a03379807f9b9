"""Pages of projects: the list with its filters, the project sheet, and the staff's form."""
import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import filter_id
from civiclab.core.kit import attempt, limit_writes, page
from civiclab.core.page_cache import public_page
from civiclab.core.pagination import page_number
from civiclab.core.sections import sections_of
from civiclab.extensions import db
from civiclab.places.models import City
from civiclab.programmes import bp, chart, queries, services
from civiclab.programmes.forms import ProjectFilterForm, ProjectForm
from civiclab.programmes.permissions import can_edit_project

NO_CITY = "-"  # the list's filter value for the projects of no single city ("Tutti i comuni – Lazio")


@bp.get("/progetti")
@public_page
def projects():
    form = ProjectFilterForm(formdata=request.args)
    cities = db.session.execute(sa.select(City.id, City.slug, City.name).order_by(City.name)).all()
    form.citta.choices = [("", _("Tutte le città"))] + [(c.slug, c.name) for c in cities] + [
        (NO_CITY, _("Più comuni o nessun singolo comune"))]
    form.asse.choices = [("", _("Tutti gli assi"))] + [(str(i), label) for i, label in queries.axis_choices()]
    form.azione.choices = {"": [("", _("Tutte le azioni"))]} | {
        group: [(str(i), label) for i, label in options]
        for group, options in queries.action_choices().items()
    }
    form.validate()
    city_id = next((c.id for c in cities if c.slug == form.citta.data), None)
    query = queries.projects_select(
        current_user, city_id=city_id, no_city=form.citta.data == NO_CITY, axis_id=filter_id(form.asse.data),
        action_id=filter_id(form.azione.data), text=form.q.data if not form.q.errors else None,
    )
    page_obj = db.paginate(query, page=page_number(), per_page=current_app.config["PER_PAGE"])
    filtered = any(request.args.get(name) for name in ("q", "citta", "asse", "azione"))
    return render_template("programmes/projects.html", page=page_obj, form=form, filtered=filtered)


@bp.get("/progetti/<code>")
@public_page
def project(code):
    project = queries.load_project(code)  # a draft is not there for whoever may not edit it
    snapshots = queries.project_snapshots(project)
    history = chart.history_chart(snapshots, f"history-{project.id}",
                                  _("Avanzamento finanziario nel tempo: %(code)s", code=project.code))
    return render_template("programmes/project.html", project=project,
                           can_edit=can_edit_project(current_user, project),
                           snapshots=snapshots, history_chart=history,
                           same_cup=queries.same_cup_projects(project, current_user),
                           sections=sections_of("project", project))


def _form_with_choices(form):
    form.action_id.choices = queries.action_choices()
    return form


@bp.route("/citta/<city_slug>/progetti/nuovo", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def project_new(city_slug):
    city = queries.load_city_for_new_project(city_slug)
    form = _form_with_choices(ProjectForm())
    if form.validate_on_submit() and (created := attempt(services.create_project, city, form.to_data(),
                                                         current_user, form=form)):
        flash(_("Progetto %(code)s pubblicato.", code=created.value.code), "success")
        return redirect(url_for("programmes.project", code=created.value.code))
    return page("programmes/project_form.html", form=form, city=city, project=None,
                action_url=url_for("programmes.project_new", city_slug=city.slug))


@bp.route("/progetti/<code>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def project_edit(code):
    project = queries.load_project(code, for_="edit")
    form = _form_with_choices(ProjectForm(data=ProjectForm.data_from(project)))
    if project.amounts_inconsistent:
        form.inconsistent_amounts = services.amounts_of(project)
    action_url = url_for("programmes.project_edit", code=project.code)  # before any change
    if form.validate_on_submit() and attempt(services.update_project, project, form.to_data(), current_user,
                                             form=form):
        flash(_("Progetto %(code)s aggiornato.", code=project.code), "success")
        return redirect(url_for("programmes.project", code=project.code))
    return page("programmes/project_form.html", form=form, city=project.city, project=project,
                action_url=action_url)
