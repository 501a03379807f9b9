"""Changing project sheets: the checks a sheet must pass, creating and updating (reading is in
queries.py), and their financial snapshots (the four amounts on a day, from a source); and, for
administrators, programmes, their axes and each city's budget per axis."""
import re
from itertools import pairwise
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.core.audit import audit
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.money import format_euro
from civiclab.core.signals import financial_snapshot_added, project_saved
from civiclab.core.text import TextProblem, clean_name
from civiclab.core.time import to_rome, utcnow
from civiclab.extensions import db
from civiclab.places.services import check_slug, clean_description, slugify
from civiclab.programmes.models import (
    CUP_PATTERN,
    MANUAL_SOURCE,
    Action,
    Axis,
    AxisBudget,
    CityPlan,
    FinancialSnapshot,
    Programme,
    Project,
)
from civiclab.programmes.permissions import (
    can_create_project,
    can_edit_budget,
    can_edit_project,
    can_manage_programmes,
)

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
    kept_as_published = (project is not None and project.amounts_inconsistent
                         and {field: data.get(field) for field in AMOUNT_FIELDS} == amounts_of(project))
    if not kept_as_published:  # an import's "importi incoerenti", sent back unchanged, stay as they are
        check_amounts_order(data)

    others = sa.select(Project.id)
    if project is not None and project.id is not None:
        others = others.where(Project.id != project.id)
    if db.session.scalar(others.where(sa.func.lower(Project.code) == code.lower()).limit(1)):
        raise DomainError(_("Esiste già un progetto con il codice %(code)s.", code=code), field="code")
    # A CUP may repeat: the same works financed under two programmes are two projects (the
    # sheet lists the others with the same CUP).


def check_amounts_order(data):
    """programmato >= ammesso >= vincolante >= erogato, all >= 0; DomainError on the first break."""
    problem = amounts_problem(data)
    if problem is not None:
        field, message = problem
        raise DomainError(message, field=field)


def amounts_problem(data):
    """(the form's field, the message) of the first amount out of order or below zero, else None;
    the project form asks it too, to show it with the form's other errors."""
    for field, _name in AMOUNTS:
        if data.get(field) is None or data[field] < 0:
            return field.removesuffix("_cents"), _l("Indica un importo di zero o più euro.")
    messages = {
        "ammesso_cents": _l("L'importo ammesso a finanziamento non può superare l'importo programmato."),
        "vincolante_cents": _l("L'importo giuridicamente vincolante non può superare l'importo ammesso "
                               "a finanziamento."),
        "erogato_cents": _l("L'importo erogato non può superare l'importo giuridicamente vincolante."),
    }
    for (upper, _upper_name), (lower, _lower_name) in pairwise(AMOUNTS):
        if data[lower] > data[upper]:
            return lower.removesuffix("_cents"), messages[lower]
    return None


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
    if project.amounts_inconsistent and amounts_problem({f: getattr(project, f) for f, _n in AMOUNTS}) is None:
        project.amounts_inconsistent = False  # amounts edited back into order


def _flush_or_duplicate():
    """Flush; a unique index hit by a concurrent save becomes a form error, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_("Esiste già un progetto con questo codice."), field="code")


def create_project(city, data, user):
    """A new sheet, and its first financial snapshot: today's, "manuale"."""
    if not can_create_project(user, city):
        raise NotAllowed(_("Solo il personale del comune può pubblicare progetti di questa città."))
    _check_project(data)
    project = Project(city=city, created_by_id=user.id)
    _apply(project, data)
    db.session.add(project)
    _flush_or_duplicate()
    record_snapshot(project, rome_today(), MANUAL_SOURCE, amounts_of(project), actor=user)
    audit(user, "project.created", project, city_id=project.city_id, code=project.code,
          **{name: format_euro(cents) for name, cents in _amount_names(amounts_of(project)).items()})
    if project.published:
        audit(user, "project.published", project, city_id=project.city_id, code=project.code)
    project_saved.send(project, actor=user, created=True)
    return project


def _amount_names(amounts):
    """The four amounts keyed by their sheet's names (programmato, ammesso a finanziamento…)."""
    return {name: amounts[field] for field, name in AMOUNTS}


def _audit_update(user, project, before, fields_before):
    """The audit entries of an edit: the fields changed, the amounts old → new (as euro), and
    publishing or withdrawing the sheet."""
    changed = [field for field in PROJECT_FIELDS
               if field not in AMOUNT_FIELDS and field != "published" and getattr(project, field) != fields_before[field]]
    if changed:
        audit(user, "project.edited", project, city_id=project.city_id, code=project.code, fields=changed)
    after = amounts_of(project)
    if after != before:
        audit(user, "project.amounts_edited", project, city_id=project.city_id, code=project.code, **{
            name: f"{format_euro(before[field])} → {format_euro(after[field])}"
            for field, name in AMOUNTS if before[field] != after[field]})
    if project.published != fields_before["published"]:
        audit(user, "project.published" if project.published else "project.unpublished", project,
              city_id=project.city_id, code=project.code)


def update_project(project, data, user):
    """Change a sheet; when an amount changed, today's "manuale" snapshot holds the new amounts
    (a second edit the same day updates it)."""
    if not can_edit_project(user, project):
        raise NotAllowed(_("Solo il personale del comune può modificare questo progetto."))
    _check_project(data, project)
    before = amounts_of(project)
    fields_before = {field: getattr(project, field) for field in PROJECT_FIELDS}
    _apply(project, data)
    _flush_or_duplicate()
    if amounts_of(project) != before:
        # The form keeps the order, so the amounts are consistent again.
        project.amounts_inconsistent = False
        record_snapshot(project, rome_today(), MANUAL_SOURCE, amounts_of(project), actor=user)
    _audit_update(user, project, before, fields_before)
    project_saved.send(project, actor=user, created=False)
    return project


# ---- financial snapshots --------------------------------------------------------------------

AMOUNT_FIELDS = tuple(field for field, _name in AMOUNTS)


class Recorded(NamedTuple):
    """What record_snapshot did: the snapshot, and "added", "updated" or None (nothing changed)."""

    snapshot: FinancialSnapshot
    change: str | None


def rome_today():
    """Today's date in Rome: the day a manual snapshot is dated."""
    return to_rome(utcnow()).date()


def amounts_of(thing):
    """The four amounts of a project or a snapshot, as a dict keyed like AMOUNTS."""
    return {field: getattr(thing, field) for field in AMOUNT_FIELDS}


def _is_latest(snapshot):
    """No other snapshot of the project is later by date (on the same date: recorded later)."""
    later = sa.select(FinancialSnapshot.id).where(
        FinancialSnapshot.project_id == snapshot.project_id,
        FinancialSnapshot.id != snapshot.id,
        sa.or_(FinancialSnapshot.as_of > snapshot.as_of,
               sa.and_(FinancialSnapshot.as_of == snapshot.as_of, FinancialSnapshot.id > snapshot.id)),
    ).limit(1)
    return db.session.scalar(later) is None


def record_snapshot(project, as_of, source, amounts, actor=None, inconsistent=False):
    """The four amounts of `project` on `as_of` according to `source` ("manuale", or e.g.
    "OpenCoesione 2024-08-31"): one snapshot per project, day and source, added or updated in
    place; the same values again change nothing (an import run twice is a no-op).

    `amounts` maps the four fields of AMOUNTS (programmato_cents … erogato_cents) to cents, all
    >= 0; they must be in order unless `inconsistent` (an import flags amounts published out of
    order: kept as published, never fixed). When the snapshot is the project's latest (by date,
    then by when it was first recorded), the project row takes its amounts and its flag.
    The caller decides who may (the project form checks its user; an import runs from the CLI).
    Sends `financial_snapshot_added` when a snapshot is added or its amounts change.
    """
    values = {field: int(amounts[field]) for field in AMOUNT_FIELDS}
    if any(value < 0 for value in values.values()):
        raise DomainError(_l("Indica un importo di zero o più euro."))
    if not inconsistent:
        check_amounts_order(values)
    source = (source or "").strip()
    if not source:
        raise ValueError("a snapshot needs a source")
    inconsistent = bool(inconsistent)
    if project.id is None:
        db.session.flush()

    def existing():
        return db.session.scalar(sa.select(FinancialSnapshot).filter_by(
            project_id=project.id, as_of=as_of, source=source))

    snapshot, change = existing(), None
    if snapshot is None:
        snapshot = FinancialSnapshot(project_id=project.id, as_of=as_of, source=source,
                                     amounts_inconsistent=inconsistent,
                                     created_by_id=actor.id if actor is not None else None, **values)
        try:
            with db.session.begin_nested():
                db.session.add(snapshot)
                db.session.flush()
            change = "added"
        except IntegrityError:  # recorded meanwhile by a concurrent save: update that one
            snapshot = existing()
    if change is None and (amounts_of(snapshot) != values or snapshot.amounts_inconsistent != inconsistent):
        for field, value in values.items():
            setattr(snapshot, field, value)
        snapshot.amounts_inconsistent = inconsistent
        if actor is not None:
            snapshot.created_by_id = actor.id
        db.session.flush()
        change = "updated"
    if change is None:
        return Recorded(snapshot, None)
    if _is_latest(snapshot):
        for field, value in values.items():  # one UPDATE: the row's checks see the flag with them
            setattr(project, field, value)
        project.amounts_inconsistent = inconsistent
        db.session.flush()
    db.session.expire(project, ["snapshots"])
    financial_snapshot_added.send(project, snapshot=snapshot)
    return Recorded(snapshot, change)


# ---- programmes, axes and each city's budget (administrators) ------------------------------

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")  # "2014-2020"
MAX_AXIS_NUMBER = 99
# The largest amount a plan or an axis may hold: 100 billion euro, far above any programme's,
# far below what a BIGINT column holds.
MAX_PLAN_CENTS = 10**13


def _require_programmes(actor):
    if not can_manage_programmes(actor):
        raise NotAllowed(_("Solo gli amministratori gestiscono i programmi e i loro assi."))


def _checked_programme(data, programme=None):
    code = (data.get("code") or "").strip()
    if not CODE_PATTERN.match(code):
        raise DomainError(_("Il codice può contenere solo lettere, cifre, punti, trattini e trattini "
                            "bassi (massimo 40 caratteri), ad esempio 2014IT16M2OP004."), field="code")
    values = {
        "code": code,
        "slug": check_slug(data.get("slug") or slugify(data.get("name") or "", max_length=80)),
        "name": _name(data.get("name"), "name", 200),
        "period": (data.get("period") or "").strip(),
        "description": clean_description(data.get("description")),
    }
    period = PERIOD_PATTERN.match(values["period"])
    if not period or int(period[1]) > int(period[2]):
        raise DomainError(_("Scrivi il periodo come due anni, il primo non dopo il secondo, ad esempio "
                            "2014-2020."), field="period")
    others = sa.select(Programme.id)
    if programme is not None:
        others = others.where(Programme.id != programme.id)
    if db.session.scalar(others.where(sa.func.lower(Programme.code) == code.lower()).limit(1)):
        raise DomainError(_("Esiste già un programma con il codice %(code)s.", code=code), field="code")
    if db.session.scalar(others.where(Programme.slug == values["slug"]).limit(1)):
        raise DomainError(_("Esiste già un programma con l'indirizzo breve «%(slug)s».", slug=values["slug"]),
                          field="slug")
    return values


def _name(value, field, max_length):
    try:
        return clean_name(value, max_length=max_length)
    except TextProblem as problem:
        raise DomainError(problem.message, field=field) from None


def _changes(thing, values):
    """What `values` change on `thing`, for the audit log: [old, new] per field; a changed
    description only as true (it may be long)."""
    changed = {}
    for field, value in values.items():
        if getattr(thing, field) != value:
            changed[field] = True if field == "description" else [getattr(thing, field), value]
    return changed


def create_programme(actor, data):
    _require_programmes(actor)
    programme = Programme(**_checked_programme(data))
    db.session.add(programme)
    db.session.flush()
    audit(actor, "programme.created", programme, code=programme.code, name=programme.name)
    return programme


def update_programme(actor, programme, data):
    _require_programmes(actor)
    values = _checked_programme(data, programme)
    changed = _changes(programme, values)
    for field, value in values.items():
        setattr(programme, field, value)
    db.session.flush()
    audit(actor, "programme.edited", programme, code=programme.code, changed=changed)
    return programme


def _checked_axis(programme, data, axis=None):
    number = data.get("number")
    if number is None or not 1 <= number <= MAX_AXIS_NUMBER:
        raise DomainError(_("Il numero dell'asse va da 1 a %(max)d.", max=MAX_AXIS_NUMBER), field="number")
    others = sa.select(Axis.id).where(Axis.programme_id == programme.id, Axis.number == number)
    if axis is not None:
        others = others.where(Axis.id != axis.id)
    if db.session.scalar(others.limit(1)) is not None:
        raise DomainError(_("Il programma ha già un asse %(number)d.", number=number), field="number")
    return {"number": number, "name": _name(data.get("name"), "name", 200),
            "description": clean_description(data.get("description"))}


def create_axis(actor, programme, data):
    _require_programmes(actor)
    axis = Axis(programme=programme, **_checked_axis(programme, data))
    db.session.add(axis)
    db.session.flush()
    audit(actor, "axis.created", axis, programme_id=programme.id, number=axis.number, name=axis.name)
    return axis


def update_axis(actor, axis, data):
    _require_programmes(actor)
    values = _checked_axis(axis.programme, data, axis)
    changed = _changes(axis, values)
    for field, value in values.items():
        setattr(axis, field, value)
    db.session.flush()
    audit(actor, "axis.edited", axis, programme_id=axis.programme_id, changed=changed)
    return axis


def _check_amount(cents, field):
    if cents is None or not 0 <= cents <= MAX_PLAN_CENTS:
        raise DomainError(_("L'importo deve essere tra 0 e %(max)s.", max=format_euro(MAX_PLAN_CENTS)), field=field)


def save_plan(actor, programme, city, plan, total_cents, amounts):
    """Set the city's plan under `programme` (made when `plan` is None): its total and the budget
    of each axis (`amounts`: axis id -> cents). The total may differ from the axes' sum (a
    performance reserve): the page shows the difference, the service does not refuse it."""
    if not can_edit_budget(actor, city):
        raise NotAllowed(_("Solo gli amministratori modificano il budget delle città."))
    axes = {axis.id: axis for axis in programme.axes}
    if set(amounts) - set(axes):
        raise DomainError(_("Un asse indicato non appartiene al programma."))
    _check_amount(total_cents, "total")
    for axis_id, cents in amounts.items():
        _check_amount(cents, f"axis_{axis_id}")
    created = plan is None
    if created:
        plan = CityPlan(programme=programme, city_id=city.id, total_cents=total_cents)
        db.session.add(plan)
    old = {"total": format_euro(None if created else plan.total_cents)}
    new = {"total": format_euro(total_cents)}
    plan.total_cents = total_cents
    budgets = {budget.axis_id: budget for budget in plan.budgets}
    for axis_id, cents in amounts.items():
        label = f"asse {axes[axis_id].number}"
        budget = budgets.get(axis_id)
        if budget is None:
            old[label] = format_euro(None)
            plan.budgets.append(AxisBudget(axis_id=axis_id, amount_cents=cents))
        else:
            old[label] = format_euro(budget.amount_cents)
            budget.amount_cents = cents
        new[label] = format_euro(cents)
    db.session.flush()
    changed = {key for key in new if old[key] != new[key]}
    if changed:
        audit(actor, "budget.edited", plan, city_id=city.id, programme_id=programme.id, created=created,
              old={key: old[key] for key in changed}, new={key: new[key] for key in changed})
    return plan
