"""Pages of projects: the list with its filters, the project sheet, and the staff's form."""
import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.programmes import bp
from civiclab.core.errors import DomainError
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import filter_id, show_domain_error
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.core.sections import sections_of
from civiclab.extensions import db, limiter
from civiclab.follows.services import is_following
from civiclab.places.models import City
from civiclab.programmes import services
from civiclab.programmes.forms import ProjectFilterForm, ProjectForm
from civiclab.programmes.permissions import can_create_project, can_edit_project, can_view_project



@bp.get("/progetti")
def projects():
    form = ProjectFilterForm(formdata=request.args)
    cities = db.session.execute(sa.select(City.id, City.slug, City.name).order_by(City.name)).all()
    form.citta.choices = [("", _("Tutte le città"))] + [(c.slug, c.name) for c in cities]
    form.asse.choices = [("", _("Tutti gli assi"))] + [(str(i), label) for i, label in services.axis_choices()]
    form.azione.choices = {"": [("", _("Tutte le azioni"))]} | {
        group: [(str(i), label) for i, label in options]
        for group, options in services.action_choices().items()
    }
    form.validate()
    city_id = next((c.id for c in cities if c.slug == form.citta.data), None)
    query = services.projects_select(
        current_user, city_id=city_id, axis_id=filter_id(form.asse.data),
        action_id=filter_id(form.azione.data), text=form.q.data if not form.q.errors else None,
    )
    page = db.paginate(query, page=page_number(),
                       per_page=current_app.config["PER_PAGE"])
    filtered = any(request.args.get(name) for name in ("q", "citta", "asse", "azione"))
    return render_template("programmes/projects.html", page=page, form=form, filtered=filtered)


@bp.get("/progetti/<code>")
def project(code):
    project = db.first_or_404(services.project_by_code_select(code))
    if not can_view_project(current_user, project):
        abort(404)  # a draft is not there for whoever may not edit it
    return render_template("programmes/project.html", project=project,
                           following=is_following(current_user, project),
                           can_edit=can_edit_project(current_user, project),
                           sections=sections_of("project", project))


def _form_with_choices(form):
    form.action_id.choices = services.action_choices()
    return form


@bp.route("/citta/<city_slug>/progetti/nuovo", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def project_new(city_slug):
    city = db.first_or_404(sa.select(City).filter_by(slug=city_slug))
    require(can_create_project(current_user, city))
    form = _form_with_choices(ProjectForm())
    if form.validate_on_submit():
        try:
            project = services.create_project(city, form.to_data(), current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Progetto %(code)s pubblicato.", code=project.code), "success")
            return redirect(url_for("programmes.project", code=project.code))
    status = 422 if request.method == "POST" else 200
    action_url = url_for("programmes.project_new", city_slug=city.slug)
    return render_template("programmes/project_form.html", form=form, city=city, project=None,
                           action_url=action_url), status


@bp.route("/progetti/<code>/modifica", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def project_edit(code):
    project = db.first_or_404(services.project_by_code_select(code))
    require(can_edit_project(current_user, project))
    form = _form_with_choices(ProjectForm(data=ProjectForm.data_from(project)))
    action_url = url_for("programmes.project_edit", code=project.code)  # before any change
    if form.validate_on_submit():
        try:
            services.update_project(project, form.to_data(), current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Progetto %(code)s aggiornato.", code=project.code), "success")
            return redirect(url_for("programmes.project", code=project.code))
    status = 422 if request.method == "POST" else 200
    return render_template("programmes/project_form.html", form=form, city=project.city,
                           project=project, action_url=action_url), status
