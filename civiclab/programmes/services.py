"""Changing project sheets: the checks a sheet must pass, creating and updating (reading is in
queries.py)."""
import re
from itertools import pairwise

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.signals import project_saved
from civiclab.extensions import db
from civiclab.programmes.models import CUP_PATTERN, Action, Project
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
    if not _keeps_flagged_amounts(data, project):
        check_amounts_order(data)

    others = sa.select(Project.id)
    if project is not None and project.id is not None:
        others = others.where(Project.id != project.id)
    if db.session.scalar(others.where(sa.func.lower(Project.code) == code.lower()).limit(1)):
        raise DomainError(_("Esiste già un progetto con il codice %(code)s.", code=code), field="code")
    # A CUP may repeat: the same works financed under two programmes are two projects (the
    # sheet lists the others with the same CUP).


def flagged_amounts(project):
    """{amount field: cents} of a project whose amounts an import flagged out of order, else None."""
    return {field: getattr(project, field) for field, _name in AMOUNTS} if project.amounts_inconsistent else None


def _keeps_flagged_amounts(data, project):
    """Whether the form keeps, unchanged, amounts an import flagged as out of order ("importi
    incoerenti"): they stay as the source published them, and the rest of the sheet can be saved."""
    return (project is not None and project.amounts_inconsistent
            and all(data.get(field) == getattr(project, field) for field, _name in AMOUNTS))


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
            return field.removesuffix("_cents"), _("Indica un importo di zero o più euro.")
    messages = {
        "ammesso_cents": _("L'importo ammesso a finanziamento non può superare l'importo programmato."),
        "vincolante_cents": _("L'importo giuridicamente vincolante non può superare l'importo ammesso "
                              "a finanziamento."),
        "erogato_cents": _("L'importo erogato non può superare l'importo giuridicamente vincolante."),
    }
    for (upper, _u), (lower, _l) in pairwise(AMOUNTS):
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
