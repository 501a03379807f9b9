"""The open datasets as files: CSV with BOM and ";" and the documented headers, JSON that says the
same, the ZIP with every CSV, README and LICENSE; no personal data; no formula in a cell."""
import csv
import io
import json
import zipfile

import pytest

from civiclab.opendata.datasets import DATASETS, as_text
from civiclab.opendata.downloads import ARCHIVE_NAME
from tests.fixtures.opendata import INJECTION

NAMES = [dataset.name for dataset in DATASETS]
HEADERS = {dataset.name: dataset.header for dataset in DATASETS}


def read_csv(body):
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.mark.parametrize("name", NAMES)
def test_each_csv_has_a_bom_semicolons_and_the_documented_header(client, open_world, name):
    response = client.get(f"/dati-aperti/{name}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    first_line = response.data.split(b"\r\n")[0].decode("utf-8-sig")
    assert first_line == ";".join(HEADERS[name])
    rows = read_csv(response.data)
    assert rows[0] == HEADERS[name]
    assert all(len(row) == len(HEADERS[name]) for row in rows)


def _json_as_cells(value):
    from civiclab.core.spreadsheet import spreadsheet_safe

    return spreadsheet_safe(as_text(value))


@pytest.mark.parametrize("name", NAMES)
def test_json_says_what_the_csv_says(client, open_world, name):
    rows = read_csv(client.get(f"/dati-aperti/{name}.csv").data)
    objects = client.get(f"/dati-aperti/{name}.json").get_json()
    assert isinstance(objects, list) and len(objects) == len(rows) - 1
    for obj, row in zip(objects, rows[1:]):
        assert list(obj) == HEADERS[name]
        assert [_json_as_cells(value) for value in obj.values()] == row


def test_an_unknown_dataset_is_not_found(client):
    assert client.get("/dati-aperti/utenti.csv").status_code == 404
    assert client.get("/dati-aperti/utenti.json").status_code == 404
    assert client.get("/dati-aperti/progetti.xls").status_code == 404


def _rows(client, name):
    return client.get(f"/dati-aperti/{name}.json").get_json()


def test_the_datasets_hold_the_public_rows(client, open_world):
    project = open_world["project"]
    projects = _rows(client, "progetti")
    assert [row["code"] for row in projects] == [project.code]
    assert projects[0]["programmato"] == "412248.84" and projects[0]["erogato"] == "412248.83"
    assert projects[0]["city_slug"] == "bologna" and projects[0]["axis"] == 3 and projects[0]["action"] == "3.3.1"
    assert projects[0]["amounts_inconsistent"] is False and projects[0]["start_date"] == "2019-01-01"
    assert [(row["project"], row["erogato"]) for row in _rows(client, "avanzamento-finanziario")] == [
        (project.code, "300000.00")]
    outcomes = {row["title"]: row for row in _rows(client, "risultati")}
    assert set(outcomes) == {"Riqualificazione del cortile", "Piantumazione"}
    assert outcomes["Piantumazione"]["parent"] == open_world["outcome"].id
    assert outcomes["Piantumazione"]["progress"] == 33.3 and outcomes["Piantumazione"]["status"] == "in_progress"
    assert [row["title"] for row in _rows(client, "tappe")] == ["Progetto esecutivo"]
    assert _rows(client, "proposte-adottate") == [
        {"outcome": open_world["outcome"].id, "proposal": open_world["adopted"].id,
         "proposal_title": "Alberi nel cortile"}]
    proposals = {row["title"]: row for row in _rows(client, "proposte")}
    assert set(proposals) == {"Alberi nel cortile", "Panchine nuove"}
    assert proposals["Panchine nuove"]["author"] == "Giulia B." and proposals["Panchine nuove"]["supports"] == 3
    assert proposals["Alberi nel cortile"]["state"] == "adopted"
    (event,) = _rows(client, "eventi")
    assert (event["registrations"], event["seats"], event["attended"]) == (2, 3, 1)
    assert [row["slug"] for row in _rows(client, "laboratori")] == ["lab-bologna"]
    assert [row["slug"] for row in _rows(client, "citta")] == ["bologna"]


def test_a_formula_in_a_title_is_neutralised_in_the_csv_not_in_the_json(client, open_world):
    rows = read_csv(client.get("/dati-aperti/progetti.csv").data)
    title = rows[1][rows[0].index("title")]
    assert title == "'" + INJECTION
    assert _rows(client, "progetti")[0]["title"] == INJECTION


def test_the_archive_holds_every_csv_a_readme_and_the_licence(app, client, open_world):
    response = client.get(f"/dati-aperti/{ARCHIVE_NAME}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert set(archive.namelist()) == {f"{name}.csv" for name in NAMES} | {"README.md", "LICENSE"}
    for name in NAMES:
        assert archive.read(f"{name}.csv") == client.get(f"/dati-aperti/{name}.csv").data
    readme = archive.read("README.md").decode()
    with app.test_request_context():
        documented = {dataset.name: [f"| {column.name} | {column.description} |" for column in dataset.columns]
                      for dataset in DATASETS}
    for dataset in DATASETS:
        assert f"## {dataset.name}.csv" in readme
        assert all(line in readme for line in documented[dataset.name])
    licence = archive.read("LICENSE").decode()
    assert "CC BY 4.0" in licence and "https://creativecommons.org/licenses/by/4.0/legalcode" in licence


def test_no_personal_data_in_any_file(client, open_world):
    files = [client.get(f"/dati-aperti/{name}.{kind}").data for name in NAMES for kind in ("csv", "json")]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/dati-aperti/{ARCHIVE_NAME}").data))
    files += [archive.read(member) for member in archive.namelist()]
    files += [client.get(f"/dati-aperti/catalogo.{fmt}").data for fmt in ("ttl", "rdf", "jsonld")]
    text = b"\n".join(files).decode("utf-8")
    for secret in open_world["secrets"]:
        assert secret not in text, secret
    assert "@" not in "".join(json.dumps(_rows(client, name)) for name in NAMES)


def test_the_page_lists_each_dataset_its_columns_and_links(client, open_world):
    response = client.get("/dati-aperti")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for dataset in DATASETS:
        assert f'href="/dati-aperti/{dataset.name}.csv"' in page
        assert f'href="/dati-aperti/{dataset.name}.json"' in page
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in page
    assert f'href="/dati-aperti/{ARCHIVE_NAME}"' in page
    assert 'href="/dati-aperti/catalogo.ttl"' in page and "CC BY 4.0" in page


def test_the_footer_links_the_open_data(client):
    assert 'href="/dati-aperti"' in client.get("/").get_data(as_text=True)


def test_the_files_are_read_in_a_few_queries(client, open_world, count_queries):
    for name in NAMES:
        with count_queries() as queries:
            client.get(f"/dati-aperti/{name}.csv")
        assert len(queries) <= 3, (name, queries)
    with count_queries() as queries:
        client.get("/dati-aperti")
    assert len(queries) <= 4
