"""Administration of places: the cities themselves (administrators), and every city's staff and
facilitators in one list. A city's roles page, and its labs' forms, are in routes.py."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.kit import attempt, limit_writes, page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.extensions import db
from civiclab.places import bp, queries, services
from civiclab.places.forms import CityForm
from civiclab.places.permissions import can_appoint_staff, can_manage_cities

# The all-cities roles list: which roles it shows, by the value of ?ruolo=.
ROLE_LISTS = {"personale": queries.staff_roles_select, "facilitatori": queries.facilitator_roles_select}


@bp.get("/gestione/citta")
@login_required
def admin_cities():
    require(can_manage_cities(current_user))
    page_obj = db.paginate(queries.admin_cities_select(), page=page_number(),
                           per_page=current_app.config["PER_PAGE"])
    return render_template("places/admin_cities.html", page=page_obj)


@bp.route("/gestione/citta/nuova", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat  # Back and "Salva" again: the first city, not a second
def city_new():
    require(can_manage_cities(current_user))
    form = CityForm()
    if form.validate_on_submit() and (created := attempt(services.create_city, current_user, form.to_data(),
                                                         form=form)):
        flash(_("Città «%(name)s» creata.", name=created.value.name), "success")
        return redirect(url_for("places.admin_cities"))
    return page("places/city_form.html", form=form, city=None)


@bp.route("/gestione/citta/<city_slug>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def city_edit(city_slug):
    city = queries.load_city(city_slug, for_="edit")
    form = CityForm(obj=city)
    action_url = url_for("places.city_edit", city_slug=city.slug)  # before a new slug is set
    if form.validate_on_submit() and attempt(services.update_city, current_user, city, form.to_data(), form=form):
        flash(_("Città «%(name)s» aggiornata.", name=city.name), "success")
        return redirect(url_for("places.admin_cities"))
    return page("places/city_form.html", form=form, city=city, action_url=action_url)


@bp.get("/gestione/ruoli")
@login_required
def admin_roles():
    """The staff of every city, or the facilitators of every lab, a page at a time."""
    require(can_appoint_staff(current_user))
    kind = request.args.get("ruolo") if request.args.get("ruolo") in ROLE_LISTS else "personale"
    page_obj = db.paginate(ROLE_LISTS[kind](), page=page_number(), per_page=current_app.config["PER_PAGE"])
    return render_template("places/admin_roles.html", page=page_obj, kind=kind)
