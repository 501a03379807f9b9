"""A city's dashboard (cruscotto): each plan's budget by axis against what the city's published
projects of that axis programmed, committed and paid, the part of the total no axis holds, the
projects with their share paid, and the city's published outcomes by status.

It reads programmes and outcomes (pages sits above both). Its queries do not grow with the
projects: one aggregate per page for the amounts by axis, one for the outcomes by status.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from civiclab.extensions import db
from civiclab.outcomes.models import DEFAULT_STATUSES, Outcome, OutcomeStatus, default_status_labels
from civiclab.programmes.models import Action, Axis, Project
from civiclab.programmes.queries import city_plans, projects_select


@dataclass
class AxisFigures:
    """One row of a plan's table and chart: an axis (or the reserve, is_reserve) with its budget
    and the sums over the city's published projects of that axis (None for the reserve)."""

    label: str
    budget_cents: int
    programmato_cents: int | None = 0
    vincolante_cents: int | None = 0
    erogato_cents: int | None = 0
    projects_count: int = 0
    is_reserve: bool = False

    @property
    def paid_percent(self):
        """Paid over programmed, 0-100 with one decimal, rounded down (None: nothing to divide)."""
        if not self.programmato_cents:
            return None
        return (1000 * self.erogato_cents // self.programmato_cents) / 10


@dataclass
class PlanFigures:
    plan: object  # a CityPlan
    rows: list  # AxisFigures: the axes in order, then the reserve (always, even when it is zero)

    @property
    def axes(self):
        return [row for row in self.rows if not row.is_reserve]

    @property
    def reserve(self):
        return next(row for row in self.rows if row.is_reserve)

    def total(self, field):
        return sum(getattr(row, field) or 0 for row in self.axes)


def _sums_by_axis(city):
    """axis id -> (programme id, number, name, programmato, vincolante, erogato, projects): one query."""
    amounts = (sa.func.coalesce(sa.func.sum(Project.programmato_cents), 0),
               sa.func.coalesce(sa.func.sum(Project.vincolante_cents), 0),
               sa.func.coalesce(sa.func.sum(Project.erogato_cents), 0), sa.func.count(Project.id))
    rows = db.session.execute(
        sa.select(Axis.id, Axis.programme_id, Axis.number, Axis.name, *amounts)
        .join(Action, Action.axis_id == Axis.id).join(Project, Project.action_id == Action.id)
        .where(Project.city_id == city.id, Project.published.is_(True))
        .group_by(Axis.id, Axis.programme_id, Axis.number, Axis.name)
    ).all()
    return {row[0]: row[1:] for row in rows}


def plan_figures(city):
    """Every plan of the city with its rows (see AxisFigures): an axis that has projects but no
    budget line shows with a zero budget; what the total holds beyond the axes (Bologna's
    performance reserve) is its own row, never spread over the axes nor hidden."""
    sums = _sums_by_axis(city)
    figures = []
    for plan in city_plans(city):
        rows, seen = [], set()
        for budget in sorted(plan.budgets, key=lambda b: b.axis.number):
            axis = budget.axis
            seen.add(axis.id)
            _programme, _number, _name, programmato, vincolante, erogato, count = sums.get(
                axis.id, (None, None, None, 0, 0, 0, 0))
            rows.append((axis.number, AxisFigures(f"{axis.number}. {axis.name}", budget.amount_cents,
                                                  programmato, vincolante, erogato, count)))
        for axis_id, (programme_id, number, name, programmato, vincolante, erogato, count) in sums.items():
            if programme_id == plan.programme_id and axis_id not in seen:
                rows.append((number, AxisFigures(f"{number}. {name}", 0, programmato, vincolante, erogato, count)))
        rows = [row for _number, row in sorted(rows, key=lambda pair: pair[0])]
        rows.append(AxisFigures(_("Riserva / non allocato"), plan.unallocated_cents, None, None, None,
                                is_reserve=True))
        figures.append(PlanFigures(plan, rows))
    return figures


def city_projects_select(city):
    """The city's published projects (what the sums count, whoever looks), newest first, with
    their city and action loaded in the same query."""
    return projects_select(None, city_id=city.id)  # None: as an anonymous visitor sees them


# ---- outcomes by status ---------------------------------------------------------------------

@dataclass
class StatusCount:
    label: str
    count: int


def outcomes_by_status(city):
    """(label, count) for each status of the city's list, in its order, zeros included (the
    default list when the city has none yet), then "Senza stato" when some outcome has none.
    Counts the published outcomes (sub-results too) of the city's published projects: two queries."""
    counts = dict(db.session.execute(
        sa.select(Outcome.status_id, sa.func.count(Outcome.id))
        .join(Project, Project.id == Outcome.project_id)
        .where(Project.city_id == city.id, Project.published.is_(True), Outcome.published.is_(True))
        .group_by(Outcome.status_id)
    ).all())
    known = [status_id for status_id in counts if status_id is not None]
    statuses = db.session.scalars(
        sa.select(OutcomeStatus).where(sa.or_(OutcomeStatus.city_id == city.id, OutcomeStatus.id.in_(known or [-1])))
        .order_by(OutcomeStatus.position, OutcomeStatus.id)
    ).all()
    if statuses:
        rows = [StatusCount(str(status.label), counts.get(status.id, 0)) for status in statuses]
    else:
        labels = default_status_labels()
        rows = [StatusCount(str(labels[key]), 0) for key, _progress in DEFAULT_STATUSES]
    if counts.get(None):
        rows.append(StatusCount(_("Senza stato"), counts[None]))
    return rows
