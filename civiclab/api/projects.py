"""PON Metro projects, with their financial data and its dated snapshots, as the public project
sheet shows them; the names and values are the open data's (/dati-aperti/progetti.csv and
avanzamento-finanziario.csv), so the API and the files agree.

Amounts are strings in euro with a decimal point and exactly two decimals ("412248.84"), as the
open data writes them: no float rounding, and the cents the database holds come out as they are.
"""
from typing import Annotated

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from pydantic import BeforeValidator, Field, field_validator
from sqlalchemy.orm import selectinload

from civiclab.api.paging import api_page
from civiclab.api.schemas import MAX_ID, Page, Query, Schema, date, field
from civiclab.api.spec import operation
from civiclab.core.pagination import Key
from civiclab.opendata.datasets import as_text, euro
from civiclab.places.models import City
from civiclab.programmes.models import CUP_PATTERN, Action, Axis, Programme, Project
from civiclab.programmes.queries import load_project, project_snapshots, projects_select

# An amount in euro as text: "412248.84" (a decimal point, two decimals, no thousands separator).
Euro = Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", examples=["412248.84"])]


def euro_text(cents):
    """Cents as the open data writes euro: 41224884 -> "412248.84"."""
    return as_text(euro(cents))


class SnapshotOut(Schema):
    as_of: date = field("Data", "The day the amounts refer to (YYYY-MM-DD).")
    source: str = field("Fonte", "Where they come from: \"manuale\" (written by the city's staff) or an import "
                        "(\"OpenCoesione 2024-08-31\"), as in the open data.")
    programmato: Euro = field("Programmato", "Planned amount, in euro (a string with two decimals).")
    ammesso: Euro = field("Ammesso a finanziamento", "Amount admitted to funding, in euro.")
    vincolante: Euro = field("Giuridicamente vincolante", "Legally committed amount, in euro.")
    erogato: Euro = field("Erogato", "Amount paid out, in euro.")
    amounts_inconsistent: bool = field("Importi incoerenti", "True when the source's amounts do not keep the "
                                       "order programmato ≥ ammesso ≥ vincolante ≥ erogato (shown as published).")


class ProjectOut(Schema):
    code: str = field("Codice progetto", "The project's code, its key (as in /projects/{code}).")
    cup: str | None = field("Codice Unico Progetto - CUP", "Its CUP; several projects may share one (the same "
                            "works under two programmes); null when not given.")
    oc_code: str | None = field("Codice locale OpenCoesione", "Its local code in OpenCoesione "
                                "(COD_LOCALE_PROGETTO); null when not imported from there.")
    title: str = field("Titolo", "The project's title.")
    city_slug: str | None = field("Città", "Its city's slug (see /cities); null for a project of no single "
                                  "municipality (then `territory` says where).")
    city: str | None = field("Città", "Its city's name; null as `city_slug`.")
    region: str | None = field("Regione", "Its city's region; null as `city_slug`.")
    territory: str = field("Territorio", "Where it is as the source names it (e.g. \"TUTTI I COMUNI\").")
    programme: str = field("Programma", "The programme's code (e.g. 2014IT16M2OP004).")
    programme_name: str = field("Programma", "The programme's name.")
    programme_period: str = field("Periodo", "The programming period (e.g. 2014-2020).")
    axis: int = field("Asse", "The axis' number within the programme.")
    axis_name: str = field("Asse", "The axis' name.")
    action: str = field("Azione", "The action's code (e.g. 3.3.1).")
    action_name: str = field("Azione", "The action's name.")
    implementing_body: str = field("Soggetto attuatore", "Who carries it out; empty when not given.")
    summary: str = field("Sintesi", "One or two sentences on it (plain text).")
    description: str = field("Descrizione dell’intervento", "What is done (plain text, a paragraph a line).")
    oc_link: str = field("OpenCoesione", "Its page on OpenCoesione; empty when there is none.")
    start_date: date | None = field("Data inizio", "Start (YYYY-MM-DD); null when not given.")
    end_date: date | None = field("Data fine", "End (YYYY-MM-DD); null when not given.")
    programmato: Euro = field("Importo programmato", "Planned amount, the latest, in euro as a string with a "
                              "decimal point and two decimals (\"412248.84\"), as in the open data: exact.")
    ammesso: Euro = field("Importo ammesso a finanziamento", "Amount admitted to funding, in euro (as above).")
    vincolante: Euro = field("Importo giuridicamente vincolante", "Legally committed amount, in euro (as above).")
    erogato: Euro = field("Importo erogato", "Amount paid out, in euro (as above).")
    amounts_inconsistent: bool = field("Importi incoerenti", "True when the source's amounts do not keep the "
                                       "order programmato ≥ ammesso ≥ vincolante ≥ erogato (shown as published).")
    published: bool = field("Pubblicato", "Always true for a visitor; false only for a draft, which only its "
                            "city's staff and administrators see, with their own token.")
    url: str = field("Pagina", "The address of its page on the site.")
    snapshots: list[SnapshotOut] = field("Avanzamento finanziario nel tempo", "The dated amounts, oldest first "
                                         "(by date, then as recorded); empty when none was recorded.")


def _amounts(row):
    return {
        "programmato": euro_text(row.programmato_cents), "ammesso": euro_text(row.ammesso_cents),
        "vincolante": euro_text(row.vincolante_cents), "erogato": euro_text(row.erogato_cents),
        "amounts_inconsistent": row.amounts_inconsistent,
    }


def project_out(project, snapshots):
    """The project as the API writes it; `project` with its city and action loaded."""
    city, axis = project.city, project.action.axis
    return {
        "code": project.code, "cup": project.cup, "oc_code": project.oc_code, "title": project.title,
        "city_slug": city.slug if city else None, "city": city.name if city else None,
        "region": city.region if city else None, "territory": project.territory,
        "programme": axis.programme.code, "programme_name": axis.programme.name,
        "programme_period": axis.programme.period, "axis": axis.number, "axis_name": axis.name,
        "action": project.action.code, "action_name": project.action.name,
        "implementing_body": project.implementing_body, "summary": project.summary,
        "description": project.description, "oc_link": project.oc_link,
        "start_date": project.start_date, "end_date": project.end_date, **_amounts(project),
        "published": project.published, "url": url_for("programmes.project", code=project.code),
        "snapshots": [{"as_of": snapshot.as_of, "source": snapshot.source, **_amounts(snapshot)}
                      for snapshot in snapshots],
    }


# A CUP as the filter takes it: the letters in either case; empty is no filter.
CUP_FILTER = r"^([A-Za-z][0-9]{2}[A-Za-z][0-9A-Za-z]{11})?$"


def _upper(value):
    return value.upper() if isinstance(value, str) else value


class ProjectQuery(Query):
    cup: Annotated[str | None, BeforeValidator(_upper)] = field(
        "Codice Unico Progetto - CUP", "Only the projects with this CUP (15 letters and digits, e.g. "
        "F39G16000350007; the case does not matter).", None, json_schema_extra={"pattern": CUP_FILTER})
    city: str | None = field("Città", "Only the projects of this city (its slug, see /cities; the open data's "
                             "`city_slug`).", None, max_length=80)
    programme: str | None = field("Programma", "Only the projects of this programme (its code, e.g. "
                                  "2014IT16M2OP004; the open data's `programme`).", None, max_length=40)
    axis: int | None = field("Asse", "Only the projects of this axis number (the open data's `axis`); with "
                             "`programme`, of that programme's axis.", None, ge=0, le=MAX_ID)

    @field_validator("cup")
    @classmethod
    def _a_cup(cls, value):
        if value and not CUP_PATTERN.match(value):
            raise ValueError(_("Il CUP non è valido: sono 15 caratteri, ad esempio F39G16000350007."))
        return value


def _filtered(select, query):
    if query.cup:
        select = select.where(Project.cup == query.cup)
    if query.city:
        select = select.where(Project.city_id.in_(sa.select(City.id).where(City.slug == query.city)))
    if query.programme or query.axis is not None:
        actions = sa.select(Action.id).join(Axis, Action.axis_id == Axis.id)
        if query.programme:
            actions = actions.join(Programme, Axis.programme_id == Programme.id).where(
                Programme.code == query.programme)
        if query.axis is not None:
            actions = actions.where(Axis.number == query.axis)
        select = select.where(Project.action_id.in_(actions))
    return select


@operation("GET", "/projects", tag="projects", summary="Projects", query=ProjectQuery, response=Page[ProjectOut])
def projects(actor, query):
    """The published projects (as the project list shows them), by id, each with its financial
    snapshots; filters combine."""
    select = _filtered(projects_select(actor), query).order_by(None).options(selectinload(Project.snapshots))
    page = api_page(select, [Key(Project.id)], query=query, list_name="projects")
    return {**page, "data": [project_out(project, project.snapshots) for project in page["data"]]}


@operation("GET", "/projects/<code>", tag="projects", summary="One project", response=ProjectOut)
def project(actor, code):
    """One project by its code (as on its page, /progetti/{code}), with its financial snapshots; a
    draft is not found."""
    project = load_project(code)
    return project_out(project, project_snapshots(project))
