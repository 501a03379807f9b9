"""The projects CSV of the open data reads back: exported from one site and imported with
`flask import-projects` into an empty database, it gives the same projects and amounts; a file
with wrong rows is refused with their lines, and nothing is written."""
import os
from contextlib import ExitStack
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import make_app, temporary_postgres_app
from tests.fixtures.factories import factories_on

FIELDS = ("code", "cup", "oc_code", "title", "territory", "implementing_body", "summary", "oc_link",
          "start_date", "end_date", "programmato_cents", "ammesso_cents", "vincolante_cents", "erogato_cents",
          "amounts_inconsistent")


@pytest.fixture
def fresh_app(tmp_path):
    """A new app on its own empty database (the migrations only): SQLite, or PostgreSQL when the
    suite runs on it (CIVICLAB_TEST_DB=postgres)."""
    with ExitStack() as stack:
        def make(name):
            if os.environ.get("CIVICLAB_TEST_DB") == "postgres":
                return stack.enter_context(temporary_postgres_app())
            return make_app(f"sqlite:///{tmp_path / name}.sqlite3")
        yield make


def described(app):
    """Every project of `app`'s database, field by field, with its city and place in the programme."""
    from civiclab.extensions import db
    from civiclab.programmes.models import Project

    with app.app_context():
        projects = db.session.scalars(sa.select(Project).order_by(Project.code)).all()
        return [{
            **{name: getattr(project, name) for name in FIELDS},
            "published": project.published,
            "city": project.city and (project.city.slug, project.city.name, project.city.region),
            "programme": (project.action.axis.programme.code, project.action.axis.programme.name,
                          project.action.axis.programme.period),
            "axis": (project.action.axis.number, project.action.axis.name),
            "action": (project.action.code, project.action.name),
        } for project in projects]


def fill(app):
    """Projects of every kind the export writes: with and without a city, a CUP shared by two,
    amounts out of order (flagged), a title that looks like a formula, text on several lines."""
    from civiclab.extensions import db
    from civiclab.programmes.models import Action, Axis, Programme

    with app.app_context():
        made = factories_on(db.session)
        city = made.make_city(name="Bologna", slug="bologna", region="Emilia-Romagna")
        made.make_project(city=city, code="BO3.3.1.b", title="=1+1 Accelerazione civica", cup="F39G16000350007",
                          oc_code="1MISE123", start_date=date(2019, 1, 1), end_date=date(2023, 12, 31),
                          summary="Prima riga;\nseconda riga, \"citata\"", oc_link="https://opencoesione.gov.it/x")
        made.make_project(city=None, code="OC-TUTTI", territory="TUTTI I COMUNI", title="Servizi digitali",
                          cup="F39G16000350007", programmato_cents=100, ammesso_cents=250,
                          vincolante_cents=0, erogato_cents=0, amounts_inconsistent=True)
        programme = Programme(code="2021IT16FFPR001", slug="pn-metro-plus", name="PN Metro Plus",
                              period="2021-2027")
        action = Action(axis=Axis(programme=programme, number=7, name="Rigenerazione urbana"), code="7.1.2",
                        name="")
        db.session.add(action)
        db.session.commit()
        other = made.make_project(city=made.make_city(name="Reggio Calabria", slug="reggio-calabria",
                                                      region="Calabria"),
                                  code="RC7.1.2.a", title="Piazza De Nava", programmato_cents=123456789012,
                                  ammesso_cents=5, vincolante_cents=5, erogato_cents=0)
        other.action = action
        db.session.commit()
        made.make_project(city=city, code="BO-BOZZA", title="Non pubblicato", published=False)


def test_exported_projects_import_into_an_empty_database_as_they_were(fresh_app, tmp_path):
    source, target = fresh_app("source"), fresh_app("target")
    fill(source)
    exported = source.test_client().get("/dati-aperti/progetti.csv")
    assert exported.status_code == 200
    path = tmp_path / "progetti.csv"
    path.write_bytes(exported.data)

    result = target.test_cli_runner().invoke(args=["import-projects", str(path)])

    assert result.exit_code == 0, result.output
    assert "3 progetti importati" in result.output
    published = [project for project in described(source) if project["published"]]
    imported = described(target)
    assert [project["code"] for project in imported] == ["BO3.3.1.b", "OC-TUTTI", "RC7.1.2.a"]
    for before, after in zip(published, imported):
        for name in before:
            assert after[name] == before[name], (before["code"], name)
    # The same file exported again from the new database is the same file.
    assert target.test_client().get("/dati-aperti/progetti.csv").data == exported.data


def test_importing_the_same_file_twice_refuses_every_row(fresh_app, tmp_path):
    source, target = fresh_app("source"), fresh_app("target")
    fill(source)
    path = tmp_path / "progetti.csv"
    path.write_bytes(source.test_client().get("/dati-aperti/progetti.csv").data)
    runner = target.test_cli_runner()
    assert runner.invoke(args=["import-projects", str(path)]).exit_code == 0
    again = runner.invoke(args=["import-projects", str(path)])
    assert again.exit_code != 0
    assert "riga 2: esiste già un progetto con codice 'BO3.3.1.b'" in again.output
    assert len(described(target)) == 3


def _csv(*rows, header=None):
    from civiclab.opendata.datasets import BY_NAME

    header = header or BY_NAME["progetti"].header
    lines = [";".join(header)]
    for values in rows:
        row = dict.fromkeys(header, "")
        row.update({"programme": "P1", "axis": "1", "action": "1.1.1", "programmato": "10.00", "ammesso": "10.00",
                    "vincolante": "5.00", "erogato": "0.00", "amounts_inconsistent": "false"})
        row.update(values)
        lines.append(";".join(row[name] for name in header))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def test_invalid_rows_are_listed_by_line_and_nothing_is_written(fresh_app, tmp_path):
    target = fresh_app("target")
    path = tmp_path / "progetti.csv"
    path.write_bytes(_csv(
        {"code": "OK-1", "title": "Valido", "city_slug": "bologna", "city": "Bologna"},
        {"code": "BAD-CUP", "title": "CUP sbagliato", "cup": "123"},
        {"code": "BAD-AMOUNT", "title": "Importo", "programmato": "1.234,50"},
        {"code": "BAD-DATE", "title": "Data", "start_date": "31/12/2024"},
        {"code": "BAD-ORDER", "title": "Ordine", "erogato": "9.00"},
        {"code": "", "title": ""},
        {"code": "OK-1", "title": "Ripetuto"},
    ))
    result = target.test_cli_runner().invoke(args=["import-projects", str(path)])
    assert result.exit_code != 0
    for expected in ("riga 3: CUP non valido", "riga 4: importo non valido in programmato",
                     "riga 5: data non valida in start_date", "riga 6: importi non in ordine",
                     "riga 7: manca il valore di code", "riga 8: code 'OK-1' ripetuto (già alla riga 2)"):
        assert expected in result.output
    assert "riga 2" not in result.output.replace("alla riga 2", "")
    from civiclab.extensions import db
    from civiclab.places.models import City
    from civiclab.programmes.models import Programme

    with target.app_context():
        assert described(target) == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(City)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0


def test_a_file_of_the_wrong_shape_is_one_clear_error(fresh_app, tmp_path):
    target = fresh_app("target")
    path = tmp_path / "progetti.csv"
    path.write_bytes(_csv({"code": "A", "title": "B"}).replace(b";", b","))
    result = target.test_cli_runner().invoke(args=["import-projects", str(path)])
    assert result.exit_code != 0 and "il separatore deve essere ';'" in result.output
    path.write_bytes("code;title\nA;caff\xe8\n".encode("latin-1"))
    result = target.test_cli_runner().invoke(args=["import-projects", str(path)])
    assert result.exit_code != 0 and "non è in UTF-8" in result.output
    assert described(target) == []
