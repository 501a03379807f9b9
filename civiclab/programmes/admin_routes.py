"""Administration of programmes: a programme's sheet and axes (administrators), and each city's
plan under it, its total and budget per axis (administrators write it, the city's staff read it)."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.kit import attempt, limit_writes, page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.extensions import db
from civiclab.places.queries import cities_select
from civiclab.programmes import bp, queries, services
from civiclab.programmes.forms import AxisForm, PlanForm, ProgrammeForm
from civiclab.programmes.permissions import can_edit_budget, can_manage_programmes


@bp.get("/gestione/programmi")
@login_required
def admin_programmes():
    require(can_manage_programmes(current_user))
    page_obj = db.paginate(queries.programmes_select(), page=page_number(), per_page=current_app.config["PER_PAGE"])
    return render_template("programmes/admin_programmes.html", page=page_obj)


@bp.route("/gestione/programmi/nuovo", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat  # Back and "Salva" again: the first programme, not a second
def programme_new():
    require(can_manage_programmes(current_user))
    form = ProgrammeForm()
    if form.validate_on_submit() and (created := attempt(services.create_programme, current_user, form.to_data(),
                                                         form=form)):
        flash(_("Programma «%(name)s» creato.", name=created.value.name), "success")
        return redirect(url_for("programmes.programme_admin", programme_id=created.value.id))
    return page("programmes/programme_form.html", form=form, programme=None)


@bp.get("/gestione/programmi/<id:programme_id>")
@login_required
def programme_admin(programme_id):
    """A programme's axes, and each city's plan under it, a page of cities at a time."""
    programme = queries.load_programme(programme_id)
    cities = db.paginate(cities_select(), page=page_number(), per_page=current_app.config["PER_PAGE"])
    plans = queries.plans_by_city(programme, [city.id for city in cities.items])
    return render_template("programmes/programme_admin.html", programme=programme, cities=cities, plans=plans)


@bp.route("/gestione/programmi/<id:programme_id>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def programme_edit(programme_id):
    programme = queries.load_programme(programme_id)
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit() and attempt(services.update_programme, current_user, programme, form.to_data(),
                                             form=form):
        flash(_("Programma «%(name)s» aggiornato.", name=programme.name), "success")
        return redirect(url_for("programmes.programme_admin", programme_id=programme.id))
    return page("programmes/programme_form.html", form=form, programme=programme)


@bp.route("/gestione/programmi/<id:programme_id>/assi/nuovo", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat
def axis_new(programme_id):
    programme = queries.load_programme(programme_id)
    form = AxisForm()
    if form.validate_on_submit() and (created := attempt(services.create_axis, current_user, programme,
                                                         form.to_data(), form=form)):
        flash(_("Asse %(number)d aggiunto.", number=created.value.number), "success")
        return redirect(url_for("programmes.programme_admin", programme_id=programme.id))
    return page("programmes/axis_form.html", form=form, programme=programme, axis=None)


@bp.route("/gestione/assi/<id:axis_id>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def axis_edit(axis_id):
    axis = queries.load_axis(axis_id)
    form = AxisForm(obj=axis)
    if form.validate_on_submit() and attempt(services.update_axis, current_user, axis, form.to_data(), form=form):
        flash(_("Asse %(number)d aggiornato.", number=axis.number), "success")
        return redirect(url_for("programmes.programme_admin", programme_id=axis.programme_id))
    return page("programmes/axis_form.html", form=form, programme=axis.programme, axis=axis)


@bp.route("/gestione/programmi/<id:programme_id>/citta/<city_slug>/budget", methods=["GET", "POST"])
@login_required
@limit_writes()
def plan_edit(programme_id, city_slug):
    """The city's plan under the programme: read by its staff, written by administrators (a POST
    makes the plan when the city has none)."""
    programme, city, plan = queries.load_city_plan(programme_id, city_slug,
                                                   for_="edit" if request.method == "POST" else "view")
    form = PlanForm.for_axes(programme.axes, plan)
    if form.validate_on_submit() and attempt(services.save_plan, current_user, programme, city, plan,
                                             form.total.data, form.amounts(), form=form, on_form=True):
        flash(_("Budget di %(city)s per %(programme)s salvato.", city=city.name, programme=programme.name),
              "success")
        return redirect(url_for("programmes.plan_edit", programme_id=programme.id, city_slug=city.slug))
    return page("programmes/plan_form.html", form=form, programme=programme, city=city, plan=plan,
                editable=can_edit_budget(current_user, city))
