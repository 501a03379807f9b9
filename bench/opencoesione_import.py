"""OpenCoesione import speed: rows per second of `flask import-opencoesione` on a 2,000-row file.

Run by hand from the project root (it builds its own throwaway databases, never touches yours):

    .venv/bin/python bench/opencoesione_import.py              # SQLite
    .venv/bin/python bench/opencoesione_import.py --postgres   # SQLite, then PostgreSQL (PG_ADMIN_URL)
    .venv/bin/python bench/opencoesione_import.py --rows 10000

The file repeats the real sample (tests/data/opencoesione, 300 rows, 199 columns) with a
distinct COD_LOCALE_PROGETTO per copy ("…-R2", "…-R3"…), so every row is a new project. Three runs
through the CLI on an empty database: the first import (creates programmes, cities, projects,
snapshots), the same file again (the no-op), and the file as a later release (--as-of a month on:
a snapshot per project and every project's amounts). The goal: 2,000 rows in seconds.
"""
import argparse
import csv
import io
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import make_app, temporary_postgres_database

SAMPLE = ROOT / "tests/data/opencoesione/progetti_esteso_2021-2027_sample.csv"


def build_file(folder, n_rows):
    """A `;`-separated, quoted, UTF-8-with-BOM file of `n_rows` rows: the sample over and over."""
    with SAMPLE.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file, delimiter=";"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for n in range(n_rows):
        row = list(rows[n % len(rows)])
        copy = n // len(rows)
        if copy:
            row[0] = f"{row[0]}-R{copy + 1}"
        writer.writerow(row)
    path = Path(folder) / "progetti.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


@contextmanager
def temporary_sqlite_database():
    with tempfile.TemporaryDirectory(prefix="civiclab-bench-") as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


def bench(label, database, path, n_rows):
    with database() as url:
        app = make_app(url)
        runner = app.test_cli_runner()
        for run, as_of in (("first import", "2024-08-31"), ("same file again", "2024-08-31"),
                           ("a later release", "2024-09-30")):
            started = time.perf_counter()
            result = runner.invoke(args=["import-opencoesione", str(path), "--as-of", as_of])
            elapsed = time.perf_counter() - started
            if result.exit_code:
                raise SystemExit(result.output)
            counts = next(line for line in result.output.splitlines() if line.startswith("Progetti"))
            print(f"{label:10} {run:16} {n_rows} rows in {elapsed:5.2f} s: {n_rows / elapsed:7.0f} rows/s  ({counts})")
        with app.app_context():
            from civiclab.extensions import db
            db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true",
                        help="also on a temporary PostgreSQL database (PG_ADMIN_URL, as the tests)")
    parser.add_argument("--rows", type=int, default=2000, help="rows in the file (default 2000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="civiclab-oc-") as folder:
        path = build_file(folder, args.rows)
        bench("SQLite", temporary_sqlite_database, path, args.rows)
        if args.postgres:
            bench("PostgreSQL", temporary_postgres_database, path, args.rows)


if __name__ == "__main__":
    main()
