"""Reading the projects CSV of the open data back: `flask --app wsgi import-projects PATH`.

The file is the one /dati-aperti/progetti.csv gives (";", UTF-8 with or without BOM, amounts with
a decimal point). Each row becomes a project; its programme (by code), axis (by number within
the programme), action (by code within the axis) and city (by slug) are created when missing.
Every row is checked first: when any is wrong (a missing title, a CUP of the wrong shape, an
amount or a date that does not parse, amounts out of order without the "incoerenti" flag, a code
already there), the command lists each with its line and writes nothing.
"""
import csv
import datetime
import io
import re
from dataclasses import dataclass, field

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from civiclab.core.spreadsheet import FORMULA_CHARS
from civiclab.extensions import db
from civiclab.opendata.datasets import BY_NAME
from civiclab.places.models import City
from civiclab.places.services import slugify
from civiclab.programmes.models import CUP_PATTERN, Action, Axis, Programme, Project

COLUMNS = BY_NAME["progetti"].header
AMOUNTS = ("programmato", "ammesso", "vincolante", "erogato")
_AMOUNT = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")
# The apostrophe the export put before a would-be formula (core/spreadsheet.py), taken off again.
_NEUTRALISED = re.compile(rf"(^|[;,])([ \u3000]*)'(?=[{FORMULA_CHARS}])")
_LIMITS = {"code": 40, "title": 300, "oc_code": 80, "territory": 200, "programme": 40, "programme_name": 200,
           "programme_period": 20, "axis_name": 200, "action": 20, "action_name": 240, "city_slug": 80,
           "city": 120, "region": 80, "implementing_body": 200, "oc_link": 300}


class ProjectsImportError(Exception):
    """The file cannot be imported; `problems` lists (line, reason), line None for the whole file."""

    def __init__(self, problems):
        super().__init__("\n".join(f"riga {line}: {reason}" if line else reason for line, reason in problems))
        self.problems = problems


@dataclass
class Row:
    line: int
    values: dict = field(default_factory=dict)


def _restore(text):
    return _NEUTRALISED.sub(r"\1\2", text)


def _cents(text):
    match = _AMOUNT.match(text)
    if not match:
        raise ValueError
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def _date(text):
    return datetime.date.fromisoformat(text) if text else None


def _check(line, raw, problems):
    """The row's values, typed; each problem found goes to `problems` (the row is then None)."""
    found = []
    values = {name: _restore(raw[name].strip()) for name in COLUMNS}
    for name in ("code", "title", "programme", "axis", "action"):
        if not values[name]:
            found.append(f"manca il valore di {name}")
    for name, limit in _LIMITS.items():
        if len(values[name]) > limit:
            found.append(f"{name} supera {limit} caratteri")
    if values["cup"] and not CUP_PATTERN.match(values["cup"]):
        found.append(f"CUP non valido: {values['cup']!r}")
    if values["axis"] and not values["axis"].isdigit():
        found.append(f"axis non è un numero: {values['axis']!r}")
    for name in AMOUNTS:
        try:
            values[name] = _cents(values[name])
        except ValueError:
            found.append(f"importo non valido in {name}: {values[name]!r} (atteso per esempio 1234.50)")
    for name in ("start_date", "end_date"):
        try:
            values[name] = _date(values[name])
        except ValueError:
            found.append(f"data non valida in {name}: {values[name]!r} (attesa AAAA-MM-GG)")
    flag = values["amounts_inconsistent"].lower()
    if flag not in ("true", "false", ""):
        found.append(f"amounts_inconsistent deve essere true o false, non {flag!r}")
    values["amounts_inconsistent"] = flag == "true"
    if not found:
        amounts = [values[name] for name in AMOUNTS]
        if not values["amounts_inconsistent"] and amounts != sorted(amounts, reverse=True):
            found.append("importi non in ordine (programmato ≥ ammesso ≥ vincolante ≥ erogato) "
                         "e amounts_inconsistent non è true")
        if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
            found.append("end_date precede start_date")
    problems.extend((line, reason) for reason in found)
    return None if found else Row(line, values)


def read_rows(stream):
    """The file's rows, checked; ProjectsImportError lists every problem."""
    try:
        text = stream.read().decode("utf-8-sig") if hasattr(stream, "read") else stream
    except UnicodeDecodeError as error:
        raise ProjectsImportError([(None, f"il file non è in UTF-8 ({error.reason} al byte {error.start})")])
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    header = reader.fieldnames or []
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        hint = " (il separatore deve essere ';')" if len(header) == 1 else ""
        raise ProjectsImportError([(None, f"mancano le colonne: {', '.join(missing)}{hint}")])
    problems, rows, seen = [], [], {}
    line = reader.line_num + 1
    for raw in reader:
        if None in raw or any(value is None for value in raw.values()):
            problems.append((line, "numero di celle diverso da quello delle colonne"))
        else:
            row = _check(line, raw, problems)
            if row is not None:
                for key in ("code", "oc_code"):
                    value = row.values[key]
                    if value and (key, value) in seen:
                        problems.append((line, f"{key} {value!r} ripetuto (già alla riga {seen[key, value]})"))
                    seen.setdefault((key, value), line)
                rows.append(row)
        line = reader.line_num + 1
    _check_existing(rows, problems)
    if problems:
        raise ProjectsImportError(sorted(problems, key=lambda problem: problem[0] or 0))
    return rows


def _check_existing(rows, problems):
    codes = {row.values["code"] for row in rows}
    oc_codes = {row.values["oc_code"] for row in rows if row.values["oc_code"]}
    taken_codes = set(db.session.scalars(sa.select(Project.code).where(Project.code.in_(codes))))
    taken_oc = set(db.session.scalars(sa.select(Project.oc_code).where(Project.oc_code.in_(oc_codes))))
    for row in rows:
        if row.values["code"] in taken_codes:
            problems.append((row.line, f"esiste già un progetto con codice {row.values['code']!r}"))
        if row.values["oc_code"] in taken_oc:
            problems.append((row.line, f"esiste già un progetto con oc_code {row.values['oc_code']!r}"))


class _Places:
    """Programmes, axes, actions and cities by their exported keys, made when missing."""

    def __init__(self):
        self.programmes = {p.code: p for p in db.session.scalars(sa.select(Programme))}
        self.axes = {(a.programme_id, a.number): a for a in db.session.scalars(sa.select(Axis))}
        self.actions = {(a.axis_id, a.code): a for a in db.session.scalars(sa.select(Action))}
        self.cities = {c.slug: c for c in db.session.scalars(sa.select(City))}
        self.slugs = set(db.session.scalars(sa.select(Programme.slug)))

    def programme(self, values):
        code = values["programme"]
        if code not in self.programmes:
            slug, n = slugify(code) or "programma", 1
            while slug in self.slugs:
                n += 1
                slug = f"{slugify(code)[:70]}-{n}"
            self.slugs.add(slug)
            self.programmes[code] = Programme(code=code, slug=slug, name=values["programme_name"] or code,
                                              period=values["programme_period"])
            db.session.add(self.programmes[code])
            db.session.flush()
        return self.programmes[code]

    def action(self, values):
        programme = self.programme(values)
        key = (programme.id, int(values["axis"]))
        if key not in self.axes:
            self.axes[key] = Axis(programme=programme, number=key[1], name=values["axis_name"])
            db.session.add(self.axes[key])
            db.session.flush()
        axis = self.axes[key]
        key = (axis.id, values["action"])
        if key not in self.actions:
            self.actions[key] = Action(axis=axis, code=values["action"], name=values["action_name"])
            db.session.add(self.actions[key])
            db.session.flush()
        return self.actions[key]

    def city(self, values):
        slug = values["city_slug"]
        if not slug:
            return None
        if slug not in self.cities:
            self.cities[slug] = City(slug=slug, name=values["city"] or slug, region=values["region"])
            db.session.add(self.cities[slug])
        return self.cities[slug]


def import_projects(stream):
    """Create the projects of the CSV in `stream` (bytes or text); returns how many. Writes
    nothing when any row is wrong (ProjectsImportError). The caller commits."""
    rows = read_rows(stream)
    places = _Places()
    for row in rows:
        values = row.values
        db.session.add(Project(
            code=values["code"], cup=values["cup"] or None, oc_code=values["oc_code"] or None,
            title=values["title"], city=places.city(values), territory=values["territory"],
            action=places.action(values), implementing_body=values["implementing_body"],
            summary=values["summary"], oc_link=values["oc_link"], start_date=values["start_date"],
            end_date=values["end_date"], amounts_inconsistent=values["amounts_inconsistent"],
            published=True, **{f"{name}_cents": values[name] for name in AMOUNTS},
        ))
    db.session.flush()
    return len(rows)


@click.command("import-projects")
@click.argument("path", type=click.File("rb"))
@with_appcontext
def import_projects_command(path):
    """Import the projects of an open-data projects CSV (programmes, axes, actions and cities are
    created when missing). Any invalid row: every problem listed with its line, nothing written."""
    try:
        count = import_projects(path)
    except ProjectsImportError as error:
        db.session.rollback()
        raise click.ClickException(f"nessun progetto importato:\n{error}") from None
    db.session.commit()
    click.echo(f"{count} progetti importati")
