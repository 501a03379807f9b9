"""Pages of cities and labs, the management dashboard, and appointing staff and facilitators."""
import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.places import bp
from civiclab.core.errors import DomainError
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import show_domain_error
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.extensions import db, limiter
from civiclab.places import (
    names,  # noqa: F401  (the municipalities' names no participant may take)
    services,
)
from civiclab.places.forms import AppointFacilitatorForm, AppointStaffForm, ConfirmForm, LabForm
from civiclab.places.models import City, Lab
from civiclab.places.permissions import (
    can_appoint_facilitators,
    can_appoint_staff,
    can_create_lab,
    can_edit_lab,
    can_manage_anything,
    can_manage_city,
)

# The header shows "Gestione" by the same rule the dashboard is guarded by.
bp.add_app_template_global(can_manage_anything)


# ---- public pages -----------------------------------------------------------------------------

@bp.get("/citta")
def cities():
    page = db.paginate(services.cities_select(), page=page_number(), per_page=current_app.config["PER_PAGE"])
    return render_template("places/cities.html", page=page)


@bp.get("/citta/<slug>")
def city(slug):
    from civiclab.programmes.services import city_plans, plan_breakdown, projects_select

    city = db.first_or_404(services.city_by_slug_select(slug))
    projects = db.paginate(projects_select(current_user, city_id=city.id), page=page_number(),
                           per_page=current_app.config["PER_PAGE"])
    plans = [(plan, plan_breakdown(plan)) for plan in city_plans(city)]
    return render_template("places/city.html", city=city, projects=projects, plans=plans,
                           can_manage=can_manage_city(current_user, city))


@bp.get("/laboratori")
def labs():
    page = db.paginate(services.labs_select(), page=page_number(), per_page=current_app.config["PER_PAGE"])
    return render_template("places/labs.html", page=page)


@bp.get("/citta/<city_slug>/laboratori/<lab_slug>")
def lab(city_slug, lab_slug):
    from civiclab.events.permissions import can_manage_lab_events
    from civiclab.events.queries import lab_upcoming_events

    lab = db.first_or_404(services.lab_by_slugs_select(city_slug, lab_slug))
    can_manage_events = can_manage_lab_events(current_user, lab)
    return render_template("places/lab.html", lab=lab, can_edit=can_edit_lab(current_user, lab),
                           events=lab_upcoming_events(lab, include_drafts=can_manage_events),
                           can_manage_events=can_manage_events)


# ---- labs: create and edit ------------------------------------------------------------------

@bp.route("/citta/<city_slug>/laboratori/nuovo", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def lab_new(city_slug):
    city = db.first_or_404(sa.select(City).filter_by(slug=city_slug))
    require(can_create_lab(current_user, city))
    form = LabForm()
    if form.validate_on_submit():
        try:
            lab = services.create_lab(city, form.to_data(), current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Laboratorio «%(name)s» creato.", name=lab.name), "success")
            return redirect(url_for("places.lab", city_slug=city.slug, lab_slug=lab.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("places/lab_form.html", form=form, city=city, lab=None), status


@bp.route("/citta/<city_slug>/laboratori/<lab_slug>/modifica", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def lab_edit(city_slug, lab_slug):
    lab = db.first_or_404(services.lab_by_slugs_select(city_slug, lab_slug))
    require(can_edit_lab(current_user, lab))
    form = LabForm(obj=lab)
    if form.validate_on_submit():
        try:
            services.update_lab(lab, form.to_data(), current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Laboratorio aggiornato."), "success")
            return redirect(url_for("places.lab", city_slug=lab.city.slug, lab_slug=lab.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("places/lab_form.html", form=form, city=lab.city, lab=lab), status


# ---- management ------------------------------------------------------------------------------

@bp.get("/gestione")
@login_required
def manage():
    from civiclab.programmes.services import projects_select

    require(can_manage_anything(current_user))
    cities = services.managed_cities(current_user)
    city_ids = None if current_user.is_admin else [city.id for city in cities]
    query = projects_select(current_user, city_ids=city_ids)
    projects = db.paginate(query, page=page_number(), per_page=current_app.config["PER_PAGE"])
    return render_template("places/manage.html", cities=cities, projects=projects)


def _roles_page(city, staff_form=None, facilitator_form=None, status=200):
    staff, facilitators = services.city_roles(city)
    staff_form = staff_form or AppointStaffForm()
    facilitator_form = facilitator_form or AppointFacilitatorForm()
    facilitator_form.lab_id.choices = [(lab.id, lab.name) for lab in city.labs]
    return render_template(
        "places/roles.html", city=city, staff=staff, facilitators=facilitators,
        staff_form=staff_form, facilitator_form=facilitator_form, remove_form=ConfirmForm(),
        can_appoint_staff=can_appoint_staff(current_user),
    ), status


def _managed_city(slug):
    city = db.first_or_404(services.city_by_slug_select(slug))
    require(can_appoint_facilitators(current_user, city))
    return city


@bp.get("/gestione/citta/<city_slug>/ruoli")
@login_required
def staff(city_slug):
    """Who runs the city: its municipality staff (set by administrators) and lab facilitators."""
    return _roles_page(_managed_city(city_slug))


@bp.post("/gestione/citta/<city_slug>/personale")
@login_required
@limiter.limit(write_limit)
def staff_add(city_slug):
    city = db.first_or_404(services.city_by_slug_select(city_slug))
    require(can_appoint_staff(current_user))
    form = AppointStaffForm()
    if form.validate_on_submit():
        try:
            role = services.appoint_staff(city, form.email.data, current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("%(name)s ora fa parte del personale di %(city)s.",
                    name=role.user.display_name, city=city.name), "success")
            return redirect(url_for("places.staff", city_slug=city.slug))
    return _roles_page(city, staff_form=form, status=422)


@bp.post("/gestione/citta/<city_slug>/personale/<id:user_id>/rimuovi")
@login_required
@limiter.limit(write_limit)
def staff_remove(city_slug, user_id):
    city = db.first_or_404(services.city_by_slug_select(city_slug))
    require(can_appoint_staff(current_user))
    try:
        services.remove_staff(city, user_id, current_user)
    except DomainError as error:
        flash(error.message, "danger")
        return _roles_page(city, status=422)
    flash(_("Ruolo rimosso."), "success")
    return redirect(url_for("places.staff", city_slug=city.slug))


@bp.post("/gestione/citta/<city_slug>/facilitatori")
@login_required
@limiter.limit(write_limit)
def facilitator_add(city_slug):
    city = _managed_city(city_slug)
    form = AppointFacilitatorForm()
    form.lab_id.choices = [(lab.id, lab.name) for lab in city.labs]
    if form.validate_on_submit():
        lab = next(lab for lab in city.labs if lab.id == form.lab_id.data)
        try:
            role = services.appoint_facilitator(lab, form.email.data, current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("%(name)s ora facilita %(lab)s.", name=role.user.display_name, lab=lab.name), "success")
            return redirect(url_for("places.staff", city_slug=city.slug))
    return _roles_page(city, facilitator_form=form, status=422)


@bp.post("/gestione/laboratori/<id:lab_id>/facilitatori/<id:user_id>/rimuovi")
@login_required
@limiter.limit(write_limit)
def facilitator_remove(lab_id, user_id):
    lab = db.get_or_404(Lab, lab_id)
    require(can_appoint_facilitators(current_user, lab.city_id))
    try:
        services.remove_facilitator(lab, user_id, current_user)
    except DomainError as error:
        flash(error.message, "danger")
        return _roles_page(lab.city, status=422)
    flash(_("Ruolo rimosso."), "success")
    return redirect(url_for("places.staff", city_slug=lab.city.slug))
