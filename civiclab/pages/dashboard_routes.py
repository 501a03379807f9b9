"""A city's dashboard (cruscotto): public, figures only (civiclab/pages/dashboard.py reads them)."""
from flask import current_app, render_template
from flask_babel import gettext as _

from civiclab.core.money import format_euro
from civiclab.core.pagination import page_number
from civiclab.extensions import db
from civiclab.pages import bp, dashboard
from civiclab.places.queries import load_city
from civiclab.programmes.chart import budget_chart


@bp.get("/citta/<slug>/cruscotto")
def city_dashboard(slug):
    city = load_city(slug)
    plans = []
    for figures in dashboard.plan_figures(city):
        plan = figures.plan
        chart = budget_chart(
            figures.rows, f"budget-{plan.id}",
            _("Budget per asse e avanzamento dei progetti: %(programme)s, %(city)s",
              programme=plan.programme.name, city=city.name),
            _("Per ogni asse: la dotazione e, sommati sui progetti pubblicati dell'asse, gli importi "
              "programmato, giuridicamente vincolante ed erogato; poi la riserva non allocata agli assi. "
              "Totale del piano %(total)s. Gli stessi dati sono nella tabella accanto.",
              total=format_euro(plan.total_cents)),
        )
        plans.append((figures, chart))
    projects = db.paginate(dashboard.city_projects_select(city), page=page_number(),
                           per_page=current_app.config["PER_PAGE"])
    return render_template("pages/dashboard.html", city=city, plans=plans, projects=projects,
                           outcome_statuses=dashboard.outcomes_by_status(city))
