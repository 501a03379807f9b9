"""Importing an OpenCoesione "progetti" CSV: projects keyed by their local code, with a dated
financial snapshot each (README, "Importare da OpenCoesione").

The file's dialect: `;` separator, fields in `"` quotes, UTF-8 with or without BOM, decimal comma,
dates as YYYYMMDD, multi-valued cells joined with `:::`, an empty cell for a missing value.

Reading and checking a row are pure (`read_table`, `parse_row`); `import_opencoesione` writes in
the caller's transaction (flushes, never commits): the CLI commits, or rolls back on --dry-run,
on a rejected row without --skip-invalid, or on any error, so nothing is ever half-imported.

- The key is COD_LOCALE_PROGETTO (Project.oc_code), never the CUP: one CUP can belong to several
  local projects (the same works financed under two programmes).
- Lookups are loaded once into dicts (programmes, axes, actions, cities, the file's projects and
  their snapshots); 2,000 rows take a few queries, not a few per row.
- Amounts that break programmato >= ammesso >= vincolante >= erogato are imported as published,
  with `amounts_inconsistent` set, and listed in the report; never "fixed".
"""
import calendar
import csv
import hashlib
import io
import re
import sys
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from civiclab.core.errors import DomainError
from civiclab.extensions import db
from civiclab.places.models import City
from civiclab.places.services import slugify
from civiclab.programmes.models import (
    CUP_PATTERN,
    Action,
    Axis,
    FinancialSnapshot,
    Programme,
    Project,
)
from civiclab.programmes.services import normalise_cup

MULTI = ":::"
ALL_MUNICIPALITIES = "TUTTI I COMUNI"
# The columns a file must have (the others the import reads may be missing).
REQUIRED_COLUMNS = (
    "COD_LOCALE_PROGETTO", "CUP", "OC_TITOLO_PROGETTO", "OC_CODICE_PROGRAMMA", "OC_DESCRIZIONE_PROGRAMMA",
    "OC_COD_ARTICOLAZ_PROGRAMMA", "DEN_COMUNE", "DEN_REGIONE", "FINANZ_TOTALE_PUBBLICO",
    "OC_FINANZ_TOT_PUB_NETTO", "OC_IMPEGNI_GIURID_VINCOLANTI", "TOT_PAGAMENTI", "OC_DATA_INIZIO_PROGETTO",
    "OC_DATA_FINE_PROGETTO_PREVISTA",
)
# Project amount <- column; an empty cell is 0.
AMOUNT_COLUMNS = (
    ("programmato_cents", "FINANZ_TOTALE_PUBBLICO"),
    ("ammesso_cents", "OC_FINANZ_TOT_PUB_NETTO"),
    ("vincolante_cents", "OC_IMPEGNI_GIURID_VINCOLANTI"),
    ("erogato_cents", "TOT_PAGAMENTI"),
)
AMOUNT_FIELDS = tuple(name for name, _column in AMOUNT_COLUMNS)
# The project fields an import sets (the code and `published` only when it creates the project).
IMPORTED_FIELDS = (
    "title", "cup", "summary", "oc_link", "implementing_body", "start_date", "end_date", "city_id",
    "territory", "action_id",
)
CYCLES = {"1": "2007-2013", "2": "2014-2020", "3": "2021-2027"}  # OC_COD_CICLO
NUMBER = re.compile(r"^-?[0-9]+(,[0-9]+)?$")
DATE = re.compile(r"^[0-9]{8}$")
SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Axis numbers given to a non-numeric articolazione code: a stable number from its checksum.
NON_NUMERIC_AXIS_BASE = 1_000_000
CHUNK = 500  # ids per IN (...) list
LOWER_WORDS = frozenset({
    "a", "al", "all'", "alla", "allo", "d'", "da", "dal", "de", "dei", "del", "dell'", "della", "delle",
    "dello", "degli", "di", "e", "ed", "in", "la", "le", "lo", "nel", "nell'", "nella", "sul", "sull'",
    "sulla", "sullo",
})


class OpenCoesioneFileError(DomainError):
    """The file as a whole cannot be read: encoding, separator, columns. Nothing is written."""


class RowError(ValueError):
    """A row refused: its reason, shown with its line."""


# ---- reading (pure) -------------------------------------------------------------------------

def read_table(data):
    """(header, [(line, {column: value})]) from the file's bytes; OpenCoesioneFileError when the
    file is not UTF-8, not `;`-separated or lacks a required column. A row with the wrong number
    of cells is returned as (line, None) and rejected later with its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise OpenCoesioneFileError(_(
            "Il file non è in UTF-8: byte non valido alla riga %(line)s (i file di OpenCoesione sono "
            "in UTF-8; riesportalo o convertilo).", line=line)) from None
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise OpenCoesioneFileError(_("Il file è vuoto."))
    if ";" not in first_line:
        raise OpenCoesioneFileError(_(
            "Il separatore dei campi non è il punto e virgola: il file di OpenCoesione usa «;» "
            "(nell'intestazione non ce n'è nessuno)."))
    csv.field_size_limit(10_000_000)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise OpenCoesioneFileError(_("Il file è vuoto."))
        header = [name.strip().upper() for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise OpenCoesioneFileError(_("Mancano colonne obbligatorie: %(columns)s.",
                                          columns=", ".join(missing)))
        rows, line = [], reader.line_num + 1
        for cells in reader:
            if cells:
                rows.append((line, dict(zip(header, cells, strict=True)) if len(cells) == len(header)
                             else None))
            line = reader.line_num + 1
    except csv.Error as error:
        raise OpenCoesioneFileError(_("Il file non è un CSV leggibile alla riga %(line)s: %(error)s.",
                                      line=reader.line_num, error=error)) from None
    return header, rows


def parse_cents(value, column):
    """'1185400,75' -> 118540075, '26474000' -> 2647400000, '' -> 0: Decimal, no float; more than
    two decimals are rounded half up to the cent."""
    value = (value or "").strip()
    if not value:
        return 0
    if not NUMBER.match(value):
        raise RowError(_("%(column)s: «%(value)s» non è un importo (atteso ad esempio 1185400,75).",
                         column=column, value=value))
    try:
        cents = (Decimal(value.replace(",", ".")) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise RowError(_("%(column)s: «%(value)s» non è un importo.", column=column, value=value)) from None
    if cents < 0:
        raise RowError(_("%(column)s: importo negativo (%(value)s).", column=column, value=value))
    return int(cents)


def parse_date(value, column):
    """(date, adjusted) from 'YYYYMMDD': '20220616' -> (date(2022, 6, 16), False); '' -> (None, False).

    Day 00 or one day past the month's end ('20281232', '20221200') is what a 32-bit float makes
    of a real date (the values above 2**24 step by two): read as the month's first or last day,
    with adjusted True so the report counts it. Anything else unreadable is refused."""
    value = (value or "").strip()
    if not value:
        return None, False
    try:
        if not DATE.match(value):
            raise ValueError
        year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
        if 1 <= month <= 12:
            last = calendar.monthrange(year, month)[1]
            if day == 0:
                return date(year, month, 1), True
            if day == last + 1:
                return date(year, month, last), True
        return date(year, month, day), False
    except ValueError:
        raise RowError(_("%(column)s: «%(value)s» non è una data (atteso AAAAMMGG).",
                         column=column, value=value)) from None


def first_value(value):
    """The first of a `:::` multi-value, stripped."""
    return (value or "").split(MULTI)[0].strip()


def values(value):
    """The distinct non-empty values of a `:::` multi-value, in order."""
    seen = []
    for part in (value or "").split(MULTI):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


def title_case(name):
    """'SAN GIOVANNI IN FIORE' -> 'San Giovanni in Fiore', "SANT'AGATA DEL BIANCO" ->
    "Sant'Agata del Bianco", 'EMILIA-ROMAGNA' -> 'Emilia-Romagna'."""
    words = name.strip().lower().split()
    out = []
    for index, word in enumerate(words):
        if index and word in LOWER_WORDS:
            out.append(word)
        else:
            out.append("-".join("'".join(p[:1].upper() + p[1:] for p in part.split("'"))
                                for part in word.split("-")))
    return " ".join(out)


def project_code(oc_code):
    """Project.code from COD_LOCALE_PROGETTO, the same every time: 'OC-' + the code when it is
    URL-safe and fits in 40 characters, else 'OC-' + its safe beginning + 8 hex of its SHA-1."""
    code = f"OC-{oc_code}"
    if SAFE_CODE.match(oc_code) and len(code) <= 40:
        return code
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", oc_code).strip("-._")[:27]
    digest = hashlib.sha1(oc_code.encode()).hexdigest()[:8]
    return f"OC-{safe}-{digest}" if safe else f"OC-{digest}"


def axis_number(code):
    """Axis.number from OC_COD_ARTICOLAZ_PROGRAMMA: the number itself when it is one ('5' -> 5,
    '05' -> 5); empty -> 0; otherwise ('OT1', 'I.a') a stable number above 1,000,000 from its
    CRC-32, and the axis's name starts with the code, so it is still readable."""
    if not code:
        return 0
    if code.isdigit() and int(code) < NON_NUMERIC_AXIS_BASE:
        return int(code)
    return NON_NUMERIC_AXIS_BASE + zlib.crc32(code.encode()) % 1_000_000_000


def programme_period(row):
    """'2021-2027' from OC_DESCR_CICLO ('Ciclo di programmazione 2021-2027') or OC_COD_CICLO."""
    found = re.search(r"(\d{4})\s*[-/]\s*(\d{4})", row.get("OC_DESCR_CICLO") or "")
    if found:
        return f"{found[1]}-{found[2]}"
    return CYCLES.get(first_value(row.get("OC_COD_CICLO")), "")


@dataclass
class ParsedRow:
    line: int
    oc_code: str
    code: str
    programme_code: str
    programme_name: str
    period: str
    axis_code: str
    axis_name: str
    action_code: str
    action_name: str
    city_name: str | None  # title-cased, None for no single municipality
    region: str
    fields: dict  # the project's IMPORTED_FIELDS except city_id and action_id
    amounts: dict
    inconsistent: bool
    warnings: list = field(default_factory=list)
    dates_adjusted: int = 0  # dates read from day 00 or one past the month's end
    city_key: tuple | None = None  # set when the cities are looked up


def _place(row):
    """(city name or None, region, territory). One municipality -> that city. 'TUTTI I COMUNI'
    or several municipalities (e.g. 'TUTTI I COMUNI:::GIZZERIA': the region as a whole and one
    municipality) -> no city, only the territory ('Tutti i comuni – Calabria; Gizzeria')."""
    regions = [title_case(r) for r in values(row.get("DEN_REGIONE"))]
    region = regions[0] if regions else ""
    places = values(row.get("DEN_COMUNE"))
    if len(places) == 1 and places[0].upper() != ALL_MUNICIPALITIES:
        city = title_case(places[0])
        return city, region, f"{city} – {region}" if region else city
    parts = []
    for place in places:
        if place.upper() == ALL_MUNICIPALITIES:
            parts.append(f"Tutti i comuni – {', '.join(regions)}" if regions else "Tutti i comuni")
        else:
            parts.append(title_case(place))
    return None, region, "; ".join(parts) or ", ".join(regions)


def parse_row(line, row):
    """A ParsedRow from one row of the file; RowError with the reason when it cannot be imported."""
    if row is None:
        raise RowError(_("il numero di campi non corrisponde all'intestazione."))
    oc_code = (row.get("COD_LOCALE_PROGETTO") or "").strip()
    if not oc_code:
        raise RowError(_("COD_LOCALE_PROGETTO mancante."))
    if len(oc_code) > 80:
        raise RowError(_("COD_LOCALE_PROGETTO più lungo di 80 caratteri."))
    cup = normalise_cup(row.get("CUP"))
    if cup and not CUP_PATTERN.match(cup):
        raise RowError(_("CUP non valido: «%(cup)s» (sono 15 caratteri, ad esempio F39G16000350007).", cup=cup))
    programme_code = first_value(row.get("OC_CODICE_PROGRAMMA"))
    if not programme_code:
        raise RowError(_("OC_CODICE_PROGRAMMA mancante."))
    if len(programme_code) > 40:
        raise RowError(_("OC_CODICE_PROGRAMMA più lungo di 40 caratteri."))
    amounts = {name: parse_cents(row.get(column), column) for name, column in AMOUNT_COLUMNS}
    dates = {column: parse_date(row.get(column), column) for column in (
        "OC_DATA_INIZIO_PROGETTO", "OC_DATA_FINE_PROGETTO_PREVISTA", "OC_DATA_FINE_PROGETTO_EFFETTIVA")}
    start, planned_end, actual_end = (day for day, _adjusted in dates.values())
    dates_adjusted = sum(adjusted for _day, adjusted in dates.values())
    end = actual_end or planned_end
    warnings = []
    if start and end and end < start:
        warnings.append(_("la data di fine (%(end)s) precede l'inizio (%(start)s): fine non importata.",
                          end=end.isoformat(), start=start.isoformat()))
        end = None

    axis_code = first_value(row.get("OC_COD_ARTICOLAZ_PROGRAMMA"))
    axis_kind = title_case(first_value(row.get("OC_ARTICOLAZIONE_PROGRAMMA"))).capitalize() or "Articolazione"
    axis_name = first_value(row.get("OC_DESCR_ARTICOLAZ_PROGRAMMA")) or (
        f"{axis_kind} {axis_code}" if axis_code else "Senza articolazione")
    if axis_code and not axis_code.isdigit() and not axis_name.startswith(axis_code):
        axis_name = f"{axis_code} – {axis_name}"
    sub_code = first_value(row.get("OC_COD_SUBARTICOLAZ_PROGRAMMA"))
    if sub_code:
        action_code = sub_code if sub_code.startswith(f"{axis_code}.") or not axis_code else f"{axis_code}.{sub_code}"
        sub_kind = title_case(first_value(row.get("OC_SUBARTICOLAZIONE_PROGRAMMA"))).capitalize() or "Sottoarticolazione"
        action_name = first_value(row.get("OC_DESCR_SUBARTICOLAZ_PROGRAMMA")) or f"{sub_kind} {sub_code}"
    else:
        action_code, action_name = axis_code or "0", axis_name

    city, region, territory = _place(row)
    a = amounts
    inconsistent = not (a["programmato_cents"] >= a["ammesso_cents"] >= a["vincolante_cents"] >= a["erogato_cents"])
    title = " ".join((row.get("OC_TITOLO_PROGETTO") or "").split()) or f"Progetto {oc_code}"
    return ParsedRow(
        line=line, oc_code=oc_code, code=project_code(oc_code),
        programme_code=programme_code,
        programme_name=(first_value(row.get("OC_DESCRIZIONE_PROGRAMMA")) or programme_code)[:200],
        period=programme_period(row), axis_code=axis_code, axis_name=axis_name[:200],
        action_code=action_code[:20], action_name=action_name[:240], city_name=city and city[:120],
        region=region[:80],
        fields={
            "title": title[:300], "cup": cup, "summary": (row.get("OC_SINTESI_PROGETTO") or "").strip(),
            "oc_link": _link(row.get("OC_LINK"))[:300],
            "implementing_body": first_value(row.get("OC_DENOM_ATTUATORE"))[:200],
            "start_date": start, "end_date": end, "territory": territory[:200],
        },
        amounts=amounts, inconsistent=inconsistent, warnings=warnings, dates_adjusted=dates_adjusted,
    )


def _link(value):
    """'www.opencoesione.gov.it/progetti/x' -> 'https://www.opencoesione.gov.it/progetti/x'."""
    value = (value or "").strip()
    if value and not value.startswith(("http://", "https://")):
        value = f"https://{value}"
    return value


# ---- writing ----------------------------------------------------------------------------------

@dataclass
class Report:
    as_of: date
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    programmes_created: list = field(default_factory=list)
    axes_created: int = 0
    actions_created: int = 0
    cities_created: list = field(default_factory=list)
    snapshots_added: int = 0
    snapshots_updated: int = 0
    inconsistent: list = field(default_factory=list)  # (line, oc_code)
    rejected: list = field(default_factory=list)  # (line, oc_code or "", reason)
    warnings: list = field(default_factory=list)  # (line, oc_code, message)
    dates_adjusted: int = 0
    written: bool = False  # False when rows were refused without --skip-invalid

    def lines(self):
        """The report, one line each, in Italian (the CLI prints them)."""
        names = _bracketed(", ".join(self.programmes_created))
        out = [
            _("Righe lette: %(n)s (fonte «%(source)s»).", n=self.rows, source=self.source),
            _("Progetti creati: %(created)s, aggiornati: %(updated)s, invariati: %(unchanged)s.",
              created=self.created, updated=self.updated, unchanged=self.unchanged),
            _("Programmi creati: %(n)s%(names)s.", n=len(self.programmes_created),
              names=names),
            _("Assi creati: %(axes)s, azioni create: %(actions)s.", axes=self.axes_created,
              actions=self.actions_created),
            _("Città create: %(n)s.", n=len(self.cities_created)),
            _("Rilevazioni finanziarie aggiunte: %(added)s, aggiornate: %(updated)s.",
              added=self.snapshots_added, updated=self.snapshots_updated),
            _("Importi incoerenti (importati come pubblicati): %(n)s.", n=len(self.inconsistent)),
        ]
        out += [_("  riga %(line)s, %(code)s", line=line, code=code) for line, code in self.inconsistent]
        if self.dates_adjusted:
            out.append(_("Date lette come primo o ultimo giorno del mese (giorno 00 o oltre la fine del "
                         "mese, come nei valori a 32 bit): %(n)s.", n=self.dates_adjusted))
        out += [_("Avviso alla riga %(line)s (%(code)s): %(message)s", line=line, code=code, message=message)
                for line, code, message in self.warnings]
        out.append(_("Righe scartate: %(n)s.", n=len(self.rejected)))
        out += [_("  riga %(line)s%(code)s: %(reason)s", line=line, code=_bracketed(code), reason=reason)
                for line, code, reason in self.rejected]
        return out


def _bracketed(text):
    """' (text)', or '' for no text."""
    return f" ({text})" if text else ""


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def parse_file(data, progress=None):
    """(parsed rows, rejected (line, oc_code, reason)); duplicate local codes are rejected."""
    _header, rows = read_table(data)
    parsed, rejected, seen = [], [], {}
    for line, row in progress(rows) if progress else rows:
        try:
            item = parse_row(line, row)
            if item.oc_code in seen:
                raise RowError(_("COD_LOCALE_PROGETTO ripetuto (già alla riga %(line)s).", line=seen[item.oc_code]))
            seen[item.oc_code] = line
            parsed.append(item)
        except RowError as error:
            code = ((row or {}).get("COD_LOCALE_PROGETTO") or "").strip()
            rejected.append((line, code, str(error)))
    return parsed, rejected, len(rows)


def import_opencoesione(data, *, as_of, skip_invalid=False, progress=None):
    """Import the file's bytes in the current transaction (flushed, not committed) and return the
    Report. When a row is refused and not `skip_invalid`, nothing is written (report.written False).
    Raises OpenCoesioneFileError when the file as a whole is unreadable."""
    source = f"OpenCoesione {as_of.isoformat()}"
    report = Report(as_of=as_of, source=source)
    parsed, rejected, report.rows = parse_file(data, progress)
    report.rejected = rejected

    # Project codes taken by projects of other local codes refuse their row.
    projects = {}
    for chunk in _chunks({p.oc_code for p in parsed}):
        projects.update({p.oc_code: p for p in db.session.scalars(sa.select(Project).where(Project.oc_code.in_(chunk)))})
    taken = {}
    for chunk in _chunks({p.code.lower() for p in parsed if p.oc_code not in projects}):
        taken.update(db.session.execute(sa.select(sa.func.lower(Project.code), Project.oc_code)
                                        .where(sa.func.lower(Project.code).in_(chunk))).all())
    kept = []
    for item in parsed:
        if item.oc_code not in projects and item.code.lower() in taken:
            report.rejected.append((item.line, item.oc_code, _(
                "il codice %(code)s è già di un altro progetto.", code=item.code)))
        else:
            kept.append(item)
    report.rejected.sort()
    if report.rejected and not skip_invalid:
        return report
    report.written = True

    actions = _ensure_structure(kept, report)
    cities = _ensure_cities(kept, report)
    snapshots = _load_snapshots([p.id for p in projects.values()])

    changed = {}  # oc_code -> "created" | "updated"
    new_projects = []
    for item in kept:
        values_ = dict(item.fields, city_id=cities[item.city_key] if item.city_name else None,
                       action_id=actions[(item.programme_code, item.axis_code, item.action_code)])
        project = projects.get(item.oc_code)
        if project is None:
            project = Project(oc_code=item.oc_code, code=item.code, published=True,
                              amounts_inconsistent=item.inconsistent, **values_, **item.amounts)
            new_projects.append(project)
            projects[item.oc_code] = project
            changed[item.oc_code] = "created"
            continue
        if not _is_latest(snapshots.get(project.id, {}), as_of):
            continue  # an older release: only its snapshot is added
        wanted = dict(values_, **item.amounts, amounts_inconsistent=item.inconsistent)
        if any(getattr(project, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                if getattr(project, name) != value:
                    setattr(project, name, value)
            changed[item.oc_code] = "updated"
    db.session.add_all(new_projects)
    db.session.flush()

    new_snapshots = []
    for item in kept:
        project = projects[item.oc_code]
        existing = snapshots.get(project.id, {}).get((as_of, source))
        if existing is None:
            new_snapshots.append(FinancialSnapshot(project_id=project.id, as_of=as_of, source=source,
                                                   amounts_inconsistent=item.inconsistent, **item.amounts))
            report.snapshots_added += 1
            changed.setdefault(item.oc_code, "updated")
        else:
            wanted = dict(item.amounts, amounts_inconsistent=item.inconsistent)
            if any(getattr(existing, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(existing, name, value)
                report.snapshots_updated += 1
                changed.setdefault(item.oc_code, "updated")
        if item.inconsistent:
            report.inconsistent.append((item.line, item.oc_code))
        report.warnings += [(item.line, item.oc_code, message) for message in item.warnings]
        report.dates_adjusted += item.dates_adjusted
    db.session.add_all(new_snapshots)
    db.session.flush()

    for item in kept:
        state = changed.get(item.oc_code)
        if state == "created":
            report.created += 1
        elif state == "updated":
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _is_latest(project_snapshots, as_of):
    """Whether a snapshot dated `as_of` is the project's latest (ties go to the import)."""
    return all(day <= as_of for day, _source in project_snapshots)


def _load_snapshots(project_ids):
    """{project id: {(as_of, source): snapshot}} for the file's existing projects."""
    out = {}
    for chunk in _chunks(project_ids):
        for snapshot in db.session.scalars(sa.select(FinancialSnapshot).where(FinancialSnapshot.project_id.in_(chunk))):
            out.setdefault(snapshot.project_id, {})[(snapshot.as_of, snapshot.source)] = snapshot
    return out


def _ensure_structure(items, report):
    """{(programme code, axis code, action code): action id}, creating what is missing: a
    programme (slug from its code), an axis per articolazione, an action per sub-articolazione
    (or one per axis, coded after it)."""
    programmes = {p.code: p for p in db.session.scalars(sa.select(Programme))}
    slugs = {p.slug for p in programmes.values()}
    for item in items:
        if item.programme_code not in programmes:
            base = slug = slugify(item.programme_code, max_length=70) or "programma"
            n = 2
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
            programme = Programme(code=item.programme_code, slug=slug, name=item.programme_name,
                                  period=item.period, description="")
            db.session.add(programme)
            programmes[item.programme_code] = programme
            report.programmes_created.append(item.programme_code)
    db.session.flush()

    ids = {p.id for p in programmes.values()}
    axes = {(a.programme_id, a.number): a for a in db.session.scalars(sa.select(Axis).where(Axis.programme_id.in_(ids)))}
    for item in items:
        key = (programmes[item.programme_code].id, axis_number(item.axis_code))
        if key not in axes:
            axes[key] = Axis(programme_id=key[0], number=key[1], name=item.axis_name, description="")
            db.session.add(axes[key])
            report.axes_created += 1
    db.session.flush()

    axis_ids = {a.id for a in axes.values()}
    actions = {(a.axis_id, a.code): a for a in db.session.scalars(sa.select(Action).where(Action.axis_id.in_(axis_ids)))}
    out = {}
    for item in items:
        axis = axes[(programmes[item.programme_code].id, axis_number(item.axis_code))]
        key = (axis.id, item.action_code)
        if key not in actions:
            actions[key] = Action(axis_id=axis.id, code=item.action_code, name=item.action_name)
            db.session.add(actions[key])
            report.actions_created += 1
        out[(item.programme_code, item.axis_code, item.action_code)] = actions[key]
    db.session.flush()
    return {key: action.id for key, action in out.items()}


def _city_key(name, region):
    return slugify(name), slugify(region)


def _ensure_cities(items, report):
    """{city key: city id}, creating the missing municipalities (name title-cased, slug from the
    name; a homonym in another region gets '<name>-<region>'). Sets item.city_key."""
    by_slug = {c.slug: c for c in db.session.scalars(sa.select(City))}
    found = {}
    for item in items:
        if not item.city_name:
            continue
        name_slug, region_slug = item.city_key = _city_key(item.city_name, item.region)
        if item.city_key in found:
            continue
        city = by_slug.get(name_slug)
        if city is not None and city.region and region_slug and slugify(city.region) != region_slug:
            name_slug = f"{name_slug}-{region_slug}"[:80]  # a homonym in another region
            city = by_slug.get(name_slug)
        if city is None:
            city = City(slug=name_slug, name=item.city_name, region=item.region, description="")
            db.session.add(city)
            by_slug[name_slug] = city
            report.cities_created.append(item.city_name)
        found[item.city_key] = city
    db.session.flush()
    return {key: city.id for key, city in found.items()}


# ---- the command ------------------------------------------------------------------------------

@click.command("import-opencoesione")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The release's date, YYYY-MM-DD (default: today): the snapshots' date and source.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows even when some are refused.")
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@with_appcontext
def import_opencoesione_command(path, as_of, skip_invalid, dry_run):
    """Import an OpenCoesione "progetti" CSV (one transaction: all or nothing)."""
    from tqdm import tqdm

    from civiclab.core.time import ROME, utcnow

    as_of = as_of.date() if as_of else utcnow().astimezone(ROME).date()
    with open(path, "rb") as file:
        data = file.read()

    def progress(rows):
        return tqdm(rows, unit=" righe", disable=not sys.stderr.isatty(), file=sys.stderr)

    with current_app.test_request_context("/"):  # the messages' language: the default (Italian)
        try:
            report = import_opencoesione(data, as_of=as_of, skip_invalid=skip_invalid, progress=progress)
        except OpenCoesioneFileError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        except Exception:
            db.session.rollback()
            raise
        for line in report.lines():
            click.echo(line)
        if not report.written:
            db.session.rollback()
            raise click.ClickException(_("Righe non valide: nulla è stato importato (usa --skip-invalid "
                                         "per importare le altre)."))
        if dry_run:
            db.session.rollback()
            click.echo(_("Prova (--dry-run): nulla è stato scritto."))
        else:
            db.session.commit()
            click.echo(_("Importazione completata."))
