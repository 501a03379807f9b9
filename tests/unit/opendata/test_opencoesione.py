"""`flask import-opencoesione` on the real sample of OpenCoesione (300 rows, 199 columns), and
copies of it with one thing changed."""
import csv
import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from civiclab.places.models import City
from civiclab.programmes.models import Action, Axis, FinancialSnapshot, Programme, Project

# The real sample (300 rows of the 2021-2027 "progetti esteso" release, CC BY 4.0 OpenCoesione),
# kept in the repository so these tests run in every checkout, never skipped.
SAMPLE = Path(__file__).resolve().parents[2] / "data/opencoesione/progetti_esteso_2021-2027_sample.csv"


def sample_rows():
    with SAMPLE.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))
    return rows[0], rows[1:]


def write(path, header, rows, *, delimiter=";", encoding="utf-8-sig"):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def variant(tmp_path, change, name="variant.csv"):
    """A copy of the sample with `change(header, rows)` applied (rows as dicts, line 2 first)."""
    header, rows = sample_rows()
    dicts = [dict(zip(header, row, strict=True)) for row in rows]
    change(header, dicts)
    return write(tmp_path / name, header, [[row[column] for column in header] for row in dicts])


@pytest.fixture
def run(app, db_session):
    def run(path, *args):
        return app.test_cli_runner().invoke(args=["import-opencoesione", str(path), *args])
    return run


def count(db_session, model):
    return db_session.scalar(sa.select(sa.func.count()).select_from(model))


def imported(db_session, oc_code):
    return db_session.scalar(sa.select(Project).filter_by(oc_code=oc_code))


def totals(db_session):
    return {model.__name__: count(db_session, model)
            for model in (Project, FinancialSnapshot, Programme, Axis, Action, City)}


def test_the_sample_imports_300_published_projects_with_a_snapshot_each(run, db_session):
    result = run(SAMPLE, "--as-of", "2024-08-31")
    assert result.exit_code == 0, result.output
    assert "Progetti creati: 300, aggiornati: 0, invariati: 0." in result.output
    assert count(db_session, Project) == 300
    assert db_session.scalar(sa.select(sa.func.count()).where(Project.published.is_(False))) == 0
    snapshots = db_session.scalars(sa.select(FinancialSnapshot)).all()
    assert len(snapshots) == 300
    assert {(s.as_of, s.source) for s in snapshots} == {(date(2024, 8, 31), "OpenCoesione 2024-08-31")}
    programmes = {p.code: p for p in db_session.scalars(sa.select(Programme))}
    assert set(programmes) >= {"PSCCALABRIA2021", "PSCLAZIO2021", "PSCMARCHE2021"}
    lazio = programmes["PSCLAZIO2021"]
    assert (lazio.name, lazio.period, lazio.slug) == ("FSC ANTICIPAZIONI LAZIO 2021-2027", "2021-2027", "psclazio2021")


def test_a_project_reads_as_the_row_says(run, db_session):
    run(SAMPLE, "--as-of", "2024-08-31")
    project = imported(db_session, "13LA23015PA0590P0001")  # line 12
    assert project.code == "OC-13LA23015PA0590P0001"
    assert project.cup == "F81I20000870009"
    assert project.city.name == "Roma" and project.city.region == "Lazio"
    assert project.oc_link == "https://www.opencoesione.gov.it/progetti/13la23015pa0590p0001"
    assert project.action.axis.number == 12 and project.action.axis.programme.code == "PSCLAZIO2021"
    assert project.action.code == "12.1" and project.action.axis.name == "Area tematica 12"
    assert project.action.name == "Settore intervento 1"
    assert not project.amounts_inconsistent


@pytest.mark.parametrize("oc_code, programmato, ammesso, vincolante, erogato", [
    ("13LA23012PA0586P0001", 2647400000, 2647400000, 2647400000, 2382660000),  # line 2
    ("13LA23014PA0589P0002", 90000000, 90000000, 72881844, 0),  # line 5: 728818,44; payments empty
    ("13LA23015PA0590P0001", 118540075, 118540075, 111723688, 0),  # line 12: 1185400,75
    ("13LA23016PA0591P0004", 404670375, 404670375, 0, 0),  # line 16: 4046703,75, the rest empty
])
def test_amounts_are_exact_in_cents(run, db_session, oc_code, programmato, ammesso, vincolante, erogato):
    run(SAMPLE, "--as-of", "2024-08-31")
    project = imported(db_session, oc_code)
    expected = (programmato, ammesso, vincolante, erogato)
    assert (project.programmato_cents, project.ammesso_cents, project.vincolante_cents,
            project.erogato_cents) == expected
    snapshot = project.snapshots[0]
    assert (snapshot.programmato_cents, snapshot.ammesso_cents, snapshot.vincolante_cents,
            snapshot.erogato_cents) == expected


def test_all_the_municipalities_is_no_city(run, db_session):
    run(SAMPLE, "--as-of", "2024-08-31")
    everywhere = imported(db_session, "13LA23012PA0586P0001")  # TUTTI I COMUNI, LAZIO
    assert everywhere.city_id is None and everywhere.territory == "Tutti i comuni – Lazio"
    assert db_session.scalar(sa.select(City).filter(sa.func.lower(City.name).like("%tutti%"))) is None
    header, rows = sample_rows()
    column = header.index("DEN_COMUNE")
    region = header.index("DEN_REGIONE")
    mixed = next(row for row in rows if row[column].startswith("TUTTI I COMUNI:::"))
    project = imported(db_session, mixed[0])
    place = mixed[column].split(":::")[1]
    assert project.city_id is None
    assert project.territory.startswith(f"Tutti i comuni – {mixed[region].title()}; ")
    assert place.split()[0].title() in project.territory
    nowhere = [row[0] for row in rows if row[column].startswith("TUTTI I COMUNI")]
    assert db_session.scalar(sa.select(sa.func.count()).where(
        Project.oc_code.in_(nowhere), Project.city_id.isnot(None))) == 0
    single = next(row for row in rows if row[column] == "GROTTE DI CASTRO")
    assert imported(db_session, single[0]).city.name == "Grotte di Castro"


def test_importing_the_same_file_twice_changes_nothing(run, db_session):
    assert run(SAMPLE, "--as-of", "2024-08-31").exit_code == 0
    before = totals(db_session)
    stamps = dict(db_session.execute(sa.select(Project.oc_code, Project.updated_at)).all())
    again = run(SAMPLE, "--as-of", "2024-08-31")
    assert again.exit_code == 0, again.output
    assert "Progetti creati: 0, aggiornati: 0, invariati: 300." in again.output
    assert "Rilevazioni finanziarie aggiunte: 0, aggiornate: 0." in again.output
    db_session.expire_all()
    assert totals(db_session) == before
    assert dict(db_session.execute(sa.select(Project.oc_code, Project.updated_at)).all()) == stamps


def test_a_later_release_adds_a_snapshot_and_an_older_one_leaves_the_amounts(run, db_session, tmp_path):
    run(SAMPLE, "--as-of", "2024-08-31")

    def pay_more(header, rows):
        rows[0]["TOT_PAGAMENTI"] = "24000000,01"
    later = variant(tmp_path, pay_more)
    result = run(later, "--as-of", "2024-12-31")
    assert result.exit_code == 0, result.output
    assert "Rilevazioni finanziarie aggiunte: 300" in result.output
    project = imported(db_session, "13LA23012PA0586P0001")
    assert [(s.as_of, s.erogato_cents) for s in project.snapshots] == [
        (date(2024, 8, 31), 2382660000), (date(2024, 12, 31), 2400000001)]
    assert project.erogato_cents == 2400000001

    def pay_less(header, rows):
        rows[0]["TOT_PAGAMENTI"] = "1"
    older = variant(tmp_path, pay_less, "older.csv")
    assert run(older, "--as-of", "2024-01-31").exit_code == 0
    db_session.expire_all()
    project = imported(db_session, "13LA23012PA0586P0001")
    assert len(project.snapshots) == 3 and project.snapshots[0].erogato_cents == 100
    assert project.erogato_cents == 2400000001  # the latest snapshot's


def test_amounts_out_of_order_are_imported_as_published_and_flagged(run, db_session, tmp_path):
    def overpay(header, rows):
        rows[3]["TOT_PAGAMENTI"] = "950000"  # line 5: vincolante 728818,44
    result = run(variant(tmp_path, overpay), "--as-of", "2024-08-31")
    assert result.exit_code == 0, result.output
    assert "Importi incoerenti (importati come pubblicati): 1." in result.output
    assert "riga 5, 13LA23014PA0589P0002" in result.output
    project = imported(db_session, "13LA23014PA0589P0002")
    assert project.amounts_inconsistent and project.published
    assert (project.vincolante_cents, project.erogato_cents) == (72881844, 95000000)
    assert project.snapshots[0].amounts_inconsistent
    assert count(db_session, Project) == 300


@pytest.mark.parametrize("column, value, reason", [
    ("CUP", "F81I2000087000", "CUP non valido"),
    ("OC_DATA_INIZIO_PROGETTO", "20221350", "non è una data"),
    ("OC_FINANZ_TOT_PUB_NETTO", "1.185.400,75", "non è un importo"),
])
def test_an_invalid_row_is_refused_with_its_line_and_nothing_is_written(
        run, db_session, tmp_path, column, value, reason):
    def spoil(header, rows):
        rows[10][column] = value  # line 12
    path = variant(tmp_path, spoil)
    result = run(path, "--as-of", "2024-08-31")
    assert result.exit_code != 0
    assert "riga 12 (13LA23015PA0590P0001)" in result.output and reason in result.output
    assert "nulla è stato importato" in result.output
    assert count(db_session, Project) == 0 and count(db_session, FinancialSnapshot) == 0
    assert count(db_session, Programme) == 0

    skipped = run(path, "--as-of", "2024-08-31", "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "Righe scartate: 1." in skipped.output
    assert count(db_session, Project) == 299 and imported(db_session, "13LA23015PA0590P0001") is None


def _comma_separated(tmp_path):
    header, rows = sample_rows()
    return write(tmp_path / "comma.csv", header, rows, delimiter=",")


def _missing_column(tmp_path):
    header, rows = sample_rows()
    drop = header.index("TOT_PAGAMENTI")
    return write(tmp_path / "missing.csv", header[:drop] + header[drop + 1:],
                 [row[:drop] + row[drop + 1:] for row in rows])


def _latin1(tmp_path):
    def accent(header, rows):
        rows[5]["OC_TITOLO_PROGETTO"] = "RIQUALIFICAZIONE DELL'AREA PIÙ A NORD"
    path = variant(tmp_path, accent)
    text = path.read_bytes().decode("utf-8-sig")
    path.write_bytes(text.encode("latin-1"))
    return path


@pytest.mark.parametrize("make, message", [
    (_comma_separated, "Il separatore dei campi non è il punto e virgola"),
    (_missing_column, "Mancano colonne obbligatorie: TOT_PAGAMENTI."),
    (_latin1, "Il file non è in UTF-8: byte non valido alla riga "),
])
def test_an_unreadable_file_is_one_clear_error_and_nothing_is_written(run, db_session, tmp_path, make, message):
    result = run(make(tmp_path), "--as-of", "2024-08-31", "--skip-invalid")
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output and "Progetti creati" not in result.output
    assert count(db_session, Project) == 0 and count(db_session, City) == 0


def test_a_dry_run_reports_and_writes_nothing(run, db_session):
    result = run(SAMPLE, "--as-of", "2024-08-31", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Progetti creati: 300" in result.output and "nulla è stato scritto" in result.output
    assert all(value == 0 for value in totals(db_session).values())


def test_one_cup_under_two_local_codes_gives_two_projects(run, db_session, tmp_path):
    def share(header, rows):
        rows[1]["CUP"] = rows[0]["CUP"]
    result = run(variant(tmp_path, share), "--as-of", "2024-08-31")
    assert result.exit_code == 0, result.output
    projects = db_session.scalars(sa.select(Project).filter_by(cup="G89J20001550002")).all()
    assert sorted(p.oc_code for p in projects) == ["13LA23012PA0586P0001", "13LA23013PA0587P0001"]


def test_an_existing_city_is_reused_and_a_homonym_elsewhere_is_not(run, db_session, make_city):
    rome = make_city("Roma", region="Lazio", slug="roma")
    grotte = make_city("Grotte di Castro", region="Toscana", slug="grotte-di-castro")
    run(SAMPLE, "--as-of", "2024-08-31")
    assert imported(db_session, "13LA23015PA0590P0001").city_id == rome.id
    elsewhere = imported(db_session, "13LA23016PA0591P0001").city
    assert elsewhere.id != grotte.id and elsewhere.slug == "grotte-di-castro-lazio"
