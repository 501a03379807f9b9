"""Reading project sheets, city plans and their budget by axis (ready to draw); the loader that
answers 404 (no such project, or a draft for whoever may not edit it) or 403 in one place."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from civiclab.core.db import LIKE_ESCAPE, like_pattern
from civiclab.core.money import format_euro
from civiclab.core.permissions import is_admin, is_authenticated, require
from civiclab.extensions import db
from civiclab.places.queries import load_city
from civiclab.programmes.models import Action, Axis, CityPlan, FinancialSnapshot, Programme, Project
from civiclab.programmes.permissions import (
    can_create_project,
    can_edit_budget,
    can_edit_project,
    can_manage_programmes,
    can_view_budget,
    can_view_project,
)


def load_project(code, for_="view"):
    """The project `code` (404 if there is none). "view": a draft is not there (404) for whoever
    may not edit it; "edit": for its city's staff only (403)."""
    project = db.first_or_404(project_by_code_select(code))
    if for_ == "edit":
        require(can_edit_project(current_user, project))
    elif for_ == "view":
        if not can_view_project(current_user, project):
            abort(404)
    else:
        raise ValueError(for_)
    return project


def load_city_for_new_project(city_slug):
    """The city a new project is written for (404 if there is none), for who may (else 403)."""
    city = load_city(city_slug)
    require(can_create_project(current_user, city))
    return city


# ---- reading ------------------------------------------------------------------------------

def _with_sheet_relations(query):
    return query.options(
        joinedload(Project.city),
        joinedload(Project.action).joinedload(Action.axis).joinedload(Axis.programme),
    )


def visible_to(query, viewer):
    """Published projects, plus the drafts of the cities `viewer` manages."""
    if is_admin(viewer):
        return query
    if is_authenticated(viewer) and viewer.staff_city_ids:
        return query.where(sa.or_(Project.published.is_(True), Project.city_id.in_(viewer.staff_city_ids)))
    return query.where(Project.published.is_(True))


def same_cup_projects(project, viewer):
    """The other projects with `project`'s CUP that `viewer` may see (the same works under
    another programme), by code."""
    if not project.cup:
        return []
    query = sa.select(Project).where(Project.cup == project.cup, Project.id != project.id)
    return db.session.scalars(visible_to(query, viewer).order_by(Project.code).limit(20)).all()


def projects_select(viewer, city_id=None, axis_id=None, action_id=None, text=None, city_ids=None,
                    no_city=False):
    """The project list, filtered; newest first, with city and action loaded in the same query.
    `no_city`: only the projects of no single city (their `territory` says where)."""
    query = _with_sheet_relations(sa.select(Project))
    if city_id:
        query = query.where(Project.city_id == city_id)
    elif no_city:
        query = query.where(Project.city_id.is_(None))
    if city_ids is not None:
        query = query.where(Project.city_id.in_(city_ids or [-1]))
    if action_id:
        query = query.where(Project.action_id == action_id)
    elif axis_id:
        query = query.where(Project.action_id.in_(sa.select(Action.id).where(Action.axis_id == axis_id)))
    text = (text or "").strip()
    if text:
        pattern = like_pattern(text.lower())
        query = query.where(sa.or_(
            sa.func.lower(Project.title).like(pattern, escape=LIKE_ESCAPE),
            sa.func.lower(Project.code).like(pattern, escape=LIKE_ESCAPE),
            sa.func.lower(Project.cup).like(pattern, escape=LIKE_ESCAPE),
        ))
    return visible_to(query, viewer).order_by(Project.created_at.desc(), Project.id.desc())


def latest_projects(limit=5):
    query = _with_sheet_relations(sa.select(Project)).where(Project.published.is_(True))
    return db.session.scalars(query.order_by(Project.created_at.desc(), Project.id.desc()).limit(limit)).all()


def project_by_code_select(code):
    return _with_sheet_relations(sa.select(Project)).where(Project.code == code)


def project_snapshots(project):
    """The project's financial snapshots, oldest first (by date, then as recorded): one query."""
    return db.session.scalars(
        sa.select(FinancialSnapshot).where(FinancialSnapshot.project_id == project.id)
        .order_by(FinancialSnapshot.as_of, FinancialSnapshot.id)
    ).all()


def city_plans(city):
    """The city's plans, each with its programme and budgets by axis (three queries in all)."""
    return db.session.scalars(
        sa.select(CityPlan).where(CityPlan.city_id == city.id)
        .options(joinedload(CityPlan.programme), selectinload(CityPlan.budgets))
        .join(CityPlan.programme).order_by(Programme.period)
    ).all()


def action_choices():
    """Actions grouped by programme and axis, for a select with optgroups."""
    actions = db.session.scalars(
        sa.select(Action).join(Action.axis).join(Axis.programme)
        .options(joinedload(Action.axis).joinedload(Axis.programme))
        .order_by(Programme.period, Axis.number, Action.code)
    ).all()
    groups = {}
    for action in actions:
        axis = action.axis
        group = f"{axis.programme.name} · {axis.number}. {axis.name}"
        groups.setdefault(group, []).append((action.id, action.label))
    return groups


def axis_choices():
    axes = db.session.scalars(
        sa.select(Axis).join(Axis.programme).options(joinedload(Axis.programme))
        .order_by(Programme.period, Axis.number)
    ).all()
    return [(axis.id, f"{axis.programme.name} · {axis.number}. {axis.name}") for axis in axes]


# ---- the budget chart -----------------------------------------------------------------------

@dataclass
class BudgetRow:
    label: str
    amount_cents: int
    percent_of_total: float  # 0-100, one decimal
    bar_width: int  # in chart units, out of BAR_SPACE
    is_reserve: bool = False

    @property
    def amount(self):
        return format_euro(self.amount_cents)


BAR_SPACE = 380  # chart units for the longest bar; the SVG is 600 wide, the rest holds the amount


def plan_breakdown(plan):
    """Rows for the chart and the table: one per axis, then what the axes leave unallocated.

    The unallocated part (Bologna: the 2.448.000 € performance reserve) is its own row, never
    spread over the axes; a negative difference (axes over the total) is shown as it is.
    """
    total = plan.total_cents
    amounts = [(f"{b.axis.number}. {b.axis.name}", b.amount_cents)
               for b in sorted(plan.budgets, key=lambda b: b.axis.number)]
    rest = plan.unallocated_cents
    largest = max([amount for _label, amount in amounts] + [rest, 1])

    def row(label, amount, reserve=False):
        percent = round(100 * amount / total, 1) if total else 0.0
        width = max(0, round(BAR_SPACE * amount / largest))
        return BudgetRow(label, amount, percent, width, reserve)

    rows = [row(label, amount) for label, amount in amounts]
    if rest:
        rows.append(row(_("Riserva di performance / non ripartito"), rest, reserve=True))
    return rows


# ---- administration -------------------------------------------------------------------------

def load_programme(programme_id, for_="manage"):
    """The programme `programme_id` with its axes (404 if there is none), for administrators (else 403)."""
    if for_ != "manage":
        raise ValueError(for_)
    programme = db.first_or_404(
        sa.select(Programme).where(Programme.id == programme_id).options(selectinload(Programme.axes))
    )
    require(can_manage_programmes(current_user))
    return programme


def load_axis(axis_id, for_="manage"):
    """The axis `axis_id` with its programme (404 if there is none), for administrators (else 403)."""
    if for_ != "manage":
        raise ValueError(for_)
    axis = db.first_or_404(sa.select(Axis).where(Axis.id == axis_id).options(joinedload(Axis.programme)))
    require(can_manage_programmes(current_user))
    return axis


def load_city_plan(programme_id, city_slug, for_="view"):
    """(programme, city, plan or None) of the budget page (404 for no such programme or city):
    "view" for whoever manages the city, "edit" for administrators (else 403)."""
    programme = db.first_or_404(
        sa.select(Programme).where(Programme.id == programme_id).options(selectinload(Programme.axes))
    )
    city = load_city(city_slug)
    check = {"view": can_view_budget, "edit": can_edit_budget}[for_]
    require(check(current_user, city))
    plan = db.session.scalar(
        sa.select(CityPlan).where(CityPlan.programme_id == programme.id, CityPlan.city_id == city.id)
        .options(selectinload(CityPlan.budgets))
    )
    return programme, city, plan


def programmes_select():
    """Every programme, newest period first, with its axes (one more query for a page's axes)."""
    return sa.select(Programme).options(selectinload(Programme.axes)).order_by(
        Programme.period.desc(), Programme.name, Programme.id)


def plans_by_city(programme, city_ids):
    """The plans of `programme` for the cities `city_ids`: city id -> plan, in one query (and one
    for their budgets)."""
    plans = db.session.scalars(
        sa.select(CityPlan).where(CityPlan.programme_id == programme.id, CityPlan.city_id.in_(city_ids or [-1]))
    ).all()
    return {plan.city_id: plan for plan in plans}


def all_programmes():
    return db.session.scalars(sa.select(Programme).order_by(Programme.period.desc(), Programme.name)).all()
