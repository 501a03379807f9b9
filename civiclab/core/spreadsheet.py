"""CSV files people open in a spreadsheet: every export writes its rows through `csv_text`.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula,
and Italian Excel splits a line on ";" as well as on the file's own commas. So every cell is
quoted, and a formula start is neutralised with a leading apostrophe wherever a cell could begin:
at the start of a field, and after a ";" or "," inside it (also behind spaces, and in the
full-width forms some spreadsheets read as the ASCII ones).
"""
import csv
import io
import re

FORMULA_CHARS = "=+\\-@\t\r\uff1d\uff0b\uff0d\uff20"  # ＝ ＋ － ＠ too
# Where a cell may begin (start of the field or a separator), spaces, then a formula character.
_FORMULA_START = re.compile(rf"(^|[;,])([ \u3000]*)(?=[{FORMULA_CHARS}])")


def spreadsheet_safe(value):
    """`value` as text no spreadsheet runs as a formula, however it splits the line."""
    text = "" if value is None else str(value)
    return _FORMULA_START.sub(r"\1\2'", text)


def csv_text(header, rows, delimiter=","):
    """Header and rows as CSV text for Excel: UTF-8 with BOM, commas (or `delimiter`: open data
    uses ";"), CRLF, every cell quoted and spreadsheet-safe."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in (header, *rows):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
