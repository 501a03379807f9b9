"""CSV exports: every cell quoted, and no cell a spreadsheet could run as a formula, however it
splits the line (on the file's commas, or on ";" as Italian Excel does)."""
import csv
import io

import pytest

from civiclab.core.spreadsheet import csv_text, spreadsheet_safe

HOSTILE = ["Mario;=1+1;", "=HYPERLINK(\"http://x\")", "+39 333", "-2", "@SUM(A1)", "\t=1", "\r=1", "  =1+1",
           "Rossi, =1", "Rossi,  +1", "＝1+1", "a;\u3000@x", "a;－1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def cells_split_on(text, separator):
    """Every cell a spreadsheet could see: the lines split naively on `separator`, spaces and
    quotes around each piece dropped."""
    return [piece.strip(" \u3000\"") for line in text.lstrip("\ufeff").split("\r\n") for piece in line.split(separator)]


@pytest.mark.parametrize("separator", [";", ","])
def test_no_cell_starts_a_formula_however_the_line_is_split(separator):
    text = csv_text(["Nome", "Email"], [(name, "mario@example.org") for name in HOSTILE])

    live = [cell for cell in cells_split_on(text, separator) if cell.startswith(FORMULA_STARTS)]

    assert live == []


def test_every_cell_is_quoted_and_reads_back_as_written_but_for_the_apostrophe():
    text = csv_text(["Nome", "Posti"], [("Mario;=1+1;", 3), ('Rossi, "Pippo"', None)])

    assert text.startswith("\ufeff") and text.endswith("\r\n")
    assert text.lstrip("\ufeff").split("\r\n")[:3] == ['"Nome","Posti"', '"Mario;\'=1+1;","3"',
                                                       '"Rossi, ""Pippo""",""']
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["Nome", "Posti"], ["Mario;'=1+1;", "3"], ['Rossi, "Pippo"', ""]]


@pytest.mark.parametrize("harmless", ["Anna Bianchi", "anna@example.org", "2030-07-01 10:05", "Classe 3B - sezione A",
                                      "Via Libia 1, Bologna", ""])
def test_ordinary_text_is_left_alone(harmless):
    assert spreadsheet_safe(harmless) == harmless
