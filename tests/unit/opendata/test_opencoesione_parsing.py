"""Reading OpenCoesione's cells: amounts, dates, codes, places (pure functions)."""
from datetime import date

import pytest

from civiclab.opendata.opencoesione import (
    RowError,
    axis_number,
    parse_cents,
    parse_date,
    project_code,
    read_table,
    title_case,
)
from civiclab.programmes.services import CODE_PATTERN


@pytest.mark.parametrize("text, cents", [
    ("", 0), ("0", 0), ("26474000", 2647400000), ("1185400,75", 118540075), ("0,1", 10),
    ("728818,44", 72881844), ("99999999999,99", 9999999999999), ("0,005", 1),
])
def test_amounts_become_exact_cents(text, cents):
    assert parse_cents(text, "X") == cents


@pytest.mark.parametrize("text", ["1.185.400,75", "1185400.75", "12 000", "-5", "abc", "1,2,3"])
def test_other_numbers_are_refused(text):
    with pytest.raises(RowError):
        parse_cents(text, "FINANZ_TOTALE_PUBBLICO")


@pytest.mark.parametrize("text, expected", [
    ("", (None, False)), ("20220616", (date(2022, 6, 16), False)),
    ("20281232", (date(2028, 12, 31), True)), ("20221200", (date(2022, 12, 1), True)),
    ("20240230", (date(2024, 2, 29), True)), ("20230229", (date(2023, 2, 28), True)),
])
def test_dates_and_the_32_bit_artefacts(text, expected):
    assert parse_date(text, "X") == expected


@pytest.mark.parametrize("text", ["2022-06-16", "16062022", "20221333", "20220633", "2022061", "20241300"])
def test_other_dates_are_refused(text):
    with pytest.raises(RowError):
        parse_date(text, "OC_DATA_INIZIO_PROGETTO")


def test_project_codes_are_url_safe_unique_and_stable():
    assert project_code("13LA23012PA0586P0001") == "OC-13LA23012PA0586P0001"
    odd = ["1MISE/ABC 12", "1MISE/ABC-12", "X" * 60, "X" * 61, "à/è"]
    codes = [project_code(code) for code in odd]
    assert all(CODE_PATTERN.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert codes == [project_code(code) for code in odd]


def test_axis_numbers():
    assert axis_number("5") == 5 and axis_number("05") == 5 and axis_number("") == 0
    assert axis_number("OT1") == axis_number("OT1") > 1_000_000
    assert axis_number("OT1") != axis_number("OT2") and axis_number("OT1") < 2**31


@pytest.mark.parametrize("name, expected", [
    ("SAN GIOVANNI IN FIORE", "San Giovanni in Fiore"), ("GROTTE DI CASTRO", "Grotte di Castro"),
    ("SANT'AGATA DEL BIANCO", "Sant'Agata del Bianco"), ("EMILIA-ROMAGNA", "Emilia-Romagna"),
    ("L'AQUILA", "L'Aquila"), ("ROMA", "Roma"),
])
def test_names_are_title_cased(name, expected):
    assert title_case(name) == expected


def test_a_row_with_a_missing_cell_is_kept_for_its_line(app):
    data = ('"COD_LOCALE_PROGETTO";"CUP";"OC_TITOLO_PROGETTO";"OC_CODICE_PROGRAMMA";"OC_DESCRIZIONE_PROGRAMMA";'
            '"OC_COD_ARTICOLAZ_PROGRAMMA";"DEN_COMUNE";"DEN_REGIONE";"FINANZ_TOTALE_PUBBLICO";'
            '"OC_FINANZ_TOT_PUB_NETTO";"OC_IMPEGNI_GIURID_VINCOLANTI";"TOT_PAGAMENTI";'
            '"OC_DATA_INIZIO_PROGETTO";"OC_DATA_FINE_PROGETTO_PREVISTA"\n'
            '"A";"";"T";"P";"N";"1";"ROMA";"LAZIO";"1";"1";"";"";"";""\n'
            '"B";"";"T"\n')
    with app.test_request_context():
        _header, rows = read_table(data.encode())
    assert rows[0][0] == 2 and rows[0][1]["COD_LOCALE_PROGETTO"] == "A"
    assert rows[1] == (3, None)
