"""The administration index: where administrators reach cities, programmes and everybody's roles,
and municipality staff their own cities' labs, roles and budgets (pages of several domains)."""
from flask import render_template
from flask_login import current_user, login_required

from civiclab.core.permissions import require
from civiclab.pages import bp
from civiclab.places.permissions import can_manage_cities, can_see_administration
from civiclab.places.queries import managed_cities
from civiclab.programmes.queries import all_programmes


@bp.get("/gestione/amministrazione")
@login_required
def administration():
    require(can_see_administration(current_user))
    if can_manage_cities(current_user):  # every city: the lists the index links to page them
        return render_template("pages/administration.html", is_admin=True, cities=[], programmes=[])
    return render_template("pages/administration.html", is_admin=False, cities=managed_cities(current_user),
                           programmes=all_programmes())
