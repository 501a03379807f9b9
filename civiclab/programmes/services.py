"""Reading and changing project sheets; a city plan's budget by axis, ready to draw."""
import re
from dataclasses import dataclass
from itertools import pairwise

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from civiclab.core.db import LIKE_ESCAPE, like_pattern
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.money import format_euro
from civiclab.core.permissions import is_admin, is_authenticated
from civiclab.core.signals import project_saved
from civiclab.extensions import db
from civiclab.programmes.models import CUP_PATTERN, Action, Axis, CityPlan, Programme, Project
from civiclab.programmes.permissions import can_create_project, can_edit_project

# Codes like BO3.3.1.b: they appear in URLs, so no slashes or spaces.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
PROJECT_FIELDS = (
    "code", "title", "action_id", "cup", "rup", "implementing_body", "start_date", "end_date",
    "summary", "description", "programmato_cents", "ammesso_cents", "vincolante_cents",
    "erogato_cents", "published",
)
# The financial-progress amounts, largest first, with the names the project sheet uses.
AMOUNTS = (
    ("programmato_cents", "programmato"),
    ("ammesso_cents", "ammesso a finanziamento"),
    ("vincolante_cents", "giuridicamente vincolante"),
    ("erogato_cents", "erogato"),
)


def normalise_cup(value):
    """' f39g 1600 0350007 ' -> 'F39G16000350007'; empty -> None."""
    cup = re.sub(r"\s+", "", value or "").upper()
    return cup or None


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


def projects_select(viewer, city_id=None, axis_id=None, action_id=None, text=None, city_ids=None):
    """The project list, filtered; newest first, with city and action loaded in the same query."""
    query = _with_sheet_relations(sa.select(Project))
    if city_id:
        query = query.where(Project.city_id == city_id)
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


# ---- changing -------------------------------------------------------------------------------

def _check_project(data, project=None):
    code = (data.get("code") or "").strip()
    if not CODE_PATTERN.match(code):
        raise DomainError(_("Il codice può contenere solo lettere, cifre, punti, trattini e trattini "
                            "bassi (massimo 40 caratteri), ad esempio BO3.3.1.b."), field="code")
    if not (data.get("title") or "").strip():
        raise DomainError(_("Il titolo è obbligatorio."), field="title")
    if db.session.get(Action, data.get("action_id") or 0) is None:
        raise DomainError(_("Scegli un'azione del programma."), field="action_id")
    cup = normalise_cup(data.get("cup"))
    if cup and not CUP_PATTERN.match(cup):
        raise DomainError(_("Il CUP non è valido: sono 15 caratteri, ad esempio F39G16000350007."), field="cup")
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        raise DomainError(_("La data di fine non può precedere la data di inizio."), field="end_date")
    check_amounts_order(data)

    others = sa.select(Project.id)
    if project is not None and project.id is not None:
        others = others.where(Project.id != project.id)
    if db.session.scalar(others.where(sa.func.lower(Project.code) == code.lower()).limit(1)):
        raise DomainError(_("Esiste già un progetto con il codice %(code)s.", code=code), field="code")
    if cup and db.session.scalar(others.where(Project.cup == cup).limit(1)):
        raise DomainError(_("Esiste già un progetto con il CUP %(cup)s.", cup=cup), field="cup")


def check_amounts_order(data):
    """programmato >= ammesso >= vincolante >= erogato, all >= 0; DomainError on the first break."""
    for field, _name in AMOUNTS:
        if data.get(field) is None or data[field] < 0:
            raise DomainError(_("Indica un importo di zero o più euro."), field=field.removesuffix("_cents"))
    messages = {
        "ammesso_cents": _("L'importo ammesso a finanziamento non può superare l'importo programmato."),
        "vincolante_cents": _("L'importo giuridicamente vincolante non può superare l'importo ammesso "
                              "a finanziamento."),
        "erogato_cents": _("L'importo erogato non può superare l'importo giuridicamente vincolante."),
    }
    for (upper, _u), (lower, _l) in pairwise(AMOUNTS):
        if data[lower] > data[upper]:
            raise DomainError(messages[lower], field=lower.removesuffix("_cents"))


def _apply(project, data):
    for field in PROJECT_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "cup":
            value = normalise_cup(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(project, field, value)


def _flush_or_duplicate():
    """Flush; a unique index hit by a concurrent save becomes a form error, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_("Esiste già un progetto con questo codice o questo CUP."), field="code")


def create_project(city, data, user):
    if not can_create_project(user, city):
        raise NotAllowed(_("Solo il personale del comune può pubblicare progetti di questa città."))
    _check_project(data)
    project = Project(city=city, created_by_id=user.id)
    _apply(project, data)
    db.session.add(project)
    _flush_or_duplicate()
    project_saved.send(project, actor=user, created=True)
    return project


def update_project(project, data, user):
    if not can_edit_project(user, project):
        raise NotAllowed(_("Solo il personale del comune può modificare questo progetto."))
    _check_project(data, project)
    _apply(project, data)
    _flush_or_duplicate()
    project_saved.send(project, actor=user, created=False)
    return project
