"""Pages that show several domains: the home page, a city's page (its plans and projects), a lab's
page (its events, calls and rooms), and the management dashboard (cities and projects)."""
from flask import current_app, render_template
from flask_login import current_user, login_required

from civiclab.core.page_cache import public_page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.events.permissions import can_manage_lab_events
from civiclab.events.queries import lab_upcoming_events, upcoming_events
from civiclab.extensions import db
from civiclab.pages import bp
from civiclab.pages.queries import network_overview
from civiclab.places.permissions import can_edit_lab, can_manage_anything, can_manage_city
from civiclab.places.queries import load_city, load_lab, managed_cities
from civiclab.programmes.queries import city_plans, plan_breakdown, projects_select
from civiclab.proposals.queries import open_calls, published_calls_of
from civiclab.rooms import queries as rooms_queries
from civiclab.rooms.permissions import can_open_working_room


@bp.get("/")
@public_page
def home():
    return render_template("pages/home.html", overview=network_overview(), next_events=upcoming_events(4),
                           open_calls=open_calls(4))


@bp.get("/citta/<slug>")
@public_page
def city(slug):
    city = load_city(slug)
    projects = db.paginate(projects_select(current_user, city_id=city.id), page=page_number(),
                           per_page=current_app.config["PER_PAGE"])
    plans = [(plan, plan_breakdown(plan)) for plan in city_plans(city)]
    return render_template("pages/city.html", city=city, projects=projects, plans=plans,
                           can_manage=can_manage_city(current_user, city))


@bp.get("/citta/<city_slug>/laboratori/<lab_slug>")
@public_page
def lab(city_slug, lab_slug):
    lab = load_lab(city_slug, lab_slug)
    can_manage_events = can_manage_lab_events(current_user, lab)
    return render_template(
        "pages/lab.html", lab=lab, can_edit=can_edit_lab(current_user, lab),
        events=lab_upcoming_events(lab, include_drafts=can_manage_events), can_manage_events=can_manage_events,
        lab_room=rooms_queries.visible_room_with_count(current_user, lab),
        working_rooms=rooms_queries.visible_working_rooms(current_user, lab),
        may_open_working_room=can_open_working_room(current_user, lab),
        calls=published_calls_of(lab=lab),
    )


@bp.get("/gestione")
@login_required
def manage():
    """The management dashboard: the cities one manages, their labs, and their projects."""
    require(can_manage_anything(current_user))
    cities = managed_cities(current_user)
    city_ids = None if current_user.is_admin else [city.id for city in cities]
    projects = db.paginate(projects_select(current_user, city_ids=city_ids), page=page_number(),
                           per_page=current_app.config["PER_PAGE"])
    return render_template("pages/manage.html", cities=cities, projects=projects)
