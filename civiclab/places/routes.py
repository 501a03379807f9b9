"""Pages of cities and labs (the lists, a lab's sheet), and appointing staff and facilitators.
A city's and a lab's own pages show programmes, events and calls: they are in civiclab/pages."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.page_cache import public_page
from civiclab.core.pagination import page_number
from civiclab.extensions import db
from civiclab.places import bp, queries, services
from civiclab.places.forms import AppointFacilitatorForm, AppointStaffForm, LabForm
from civiclab.places.permissions import can_appoint_staff

# ---- public pages -----------------------------------------------------------------------------

@bp.get("/citta")
@public_page
def cities():
    page_obj = db.paginate(queries.cities_select(), page=page_number(), per_page=current_app.config["PER_PAGE"])
    return render_template("places/cities.html", page=page_obj)


@bp.get("/laboratori")
@public_page
def labs():
    page_obj = db.paginate(queries.labs_select(), page=page_number(), per_page=current_app.config["PER_PAGE"])
    return render_template("places/labs.html", page=page_obj)


# ---- labs: create and edit ------------------------------------------------------------------

@bp.route("/citta/<city_slug>/laboratori/nuovo", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def lab_new(city_slug):
    city = queries.load_city(city_slug, for_="create_lab")
    form = LabForm()
    if form.validate_on_submit() and (created := attempt(services.create_lab, city, form.to_data(), current_user,
                                                         form=form)):
        lab = created.value
        flash(_("Laboratorio «%(name)s» creato.", name=lab.name), "success")
        return redirect(url_for("pages.lab", city_slug=city.slug, lab_slug=lab.slug))
    return page("places/lab_form.html", form=form, city=city, lab=None)


@bp.route("/citta/<city_slug>/laboratori/<lab_slug>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def lab_edit(city_slug, lab_slug):
    lab = queries.load_lab(city_slug, lab_slug, for_="edit")
    form = LabForm(obj=lab)
    if form.validate_on_submit() and attempt(services.update_lab, lab, form.to_data(), current_user, form=form):
        flash(_("Laboratorio aggiornato."), "success")
        return redirect(url_for("pages.lab", city_slug=lab.city.slug, lab_slug=lab.slug))
    return page("places/lab_form.html", form=form, city=lab.city, lab=lab)


# ---- who runs a city: its staff and its labs' facilitators -----------------------------------

def _roles_page(city, staff_form=None, facilitator_form=None):
    staff, facilitators = queries.city_roles(city)
    return page(
        "places/roles.html", city=city, staff=staff, facilitators=facilitators,
        staff_form=staff_form or AppointStaffForm(),
        facilitator_form=facilitator_form or _facilitator_form(city),
        remove_form=ButtonForm(), can_appoint_staff=can_appoint_staff(current_user),
    )


def _facilitator_form(city, **kwargs):
    form = AppointFacilitatorForm(**kwargs)
    form.lab_id.choices = [(lab.id, lab.name) for lab in city.labs]
    return form


@bp.get("/gestione/citta/<city_slug>/ruoli")
@login_required
def staff(city_slug):
    """Who runs the city: its municipality staff (set by administrators) and lab facilitators."""
    return _roles_page(queries.load_city(city_slug, for_="roles"))


@bp.post("/gestione/citta/<city_slug>/personale")
@login_required
@limit_writes()
def staff_add(city_slug):
    city = queries.load_city(city_slug, for_="appoint_staff")
    form = AppointStaffForm()
    if form.validate_on_submit() and (appointed := attempt(services.appoint_staff, city, form.email.data,
                                                           current_user, form=form)):
        flash(_("%(name)s ora fa parte del personale di %(city)s.",
                name=appointed.value.user.display_name, city=city.name), "success")
        return redirect(url_for("places.staff", city_slug=city.slug))
    return _roles_page(city, staff_form=form)


@bp.post("/gestione/citta/<city_slug>/personale/<id:user_id>/rimuovi")
@login_required
@limit_writes()
def staff_remove(city_slug, user_id):
    city = queries.load_city(city_slug, for_="appoint_staff")
    if not attempt(services.remove_staff, city, user_id, current_user):
        return _roles_page(city)
    flash(_("Ruolo rimosso."), "success")
    return redirect(url_for("places.staff", city_slug=city.slug))


@bp.post("/gestione/citta/<city_slug>/facilitatori")
@login_required
@limit_writes()
def facilitator_add(city_slug):
    city = queries.load_city(city_slug, for_="roles")
    form = _facilitator_form(city)
    if form.validate_on_submit():
        lab = next(lab for lab in city.labs if lab.id == form.lab_id.data)
        if appointed := attempt(services.appoint_facilitator, lab, form.email.data, current_user, form=form):
            flash(_("%(name)s ora facilita %(lab)s.", name=appointed.value.user.display_name, lab=lab.name),
                  "success")
            return redirect(url_for("places.staff", city_slug=city.slug))
    return _roles_page(city, facilitator_form=form)


@bp.post("/gestione/laboratori/<id:lab_id>/facilitatori/<id:user_id>/rimuovi")
@login_required
@limit_writes()
def facilitator_remove(lab_id, user_id):
    lab = queries.load_lab_by_id(lab_id, for_="roles")
    if not attempt(services.remove_facilitator, lab, user_id, current_user):
        return _roles_page(lab.city)
    flash(_("Ruolo rimosso."), "success")
    return redirect(url_for("places.staff", city_slug=lab.city.slug))
