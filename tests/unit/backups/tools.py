"""Helpers of the backup tests: apps on their own databases, what a database and an archive hold
(normalised rows, files by sha256), and archives rewritten member by member."""
import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import sqlalchemy as sa

from config import TestingConfig


def app_on(database_url, uploads, migrate=True):
    """An app of its own on `database_url` and the upload folder `uploads` (its schema built by the
    migrations when `migrate`, otherwise the database is left as it is: empty)."""
    from flask_migrate import upgrade

    from civiclab import create_app

    config = type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                               "UPLOAD_FOLDER": str(uploads)})
    app = create_app(config)
    if migrate:
        with app.app_context():
            upgrade()
    return app


def dispose(app):
    from civiclab.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run_cli(app, *args):
    """(exit code, output) of `flask backup <args>` on `app`."""
    result = app.test_cli_runner().invoke(args=["backup", *map(str, args)])
    return result.exit_code, result.output


def database_rows(app):
    """{table: [row as JSON values]} of every table of the metadata, read from the database."""
    from civiclab.backups.services import _read_rows, app_tables
    from civiclab.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        return {table.name: list(_read_rows(connection, table)) for table in app_tables()}


def table_names(app):
    from civiclab.extensions import db

    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def row_count(app):
    from civiclab.backups.services import app_tables
    from civiclab.extensions import db

    with app.app_context():
        existing = set(sa.inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            return sum(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                       for table in app_tables() if table.name in existing)


def folder_files(folder):
    """{relative path: sha256} of every file under `folder`."""
    folder = Path(folder)
    if not folder.exists():
        return {}
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def members(archive):
    """[(TarInfo, bytes or None)] of the archive, in order."""
    found = []
    with tarfile.open(archive, "r:gz") as tar:
        for info in tar.getmembers():
            data = tar.extractfile(info).read() if info.isreg() else None
            found.append((info, data))
    return found


def archive_rows(archive):
    """{table: [row]} and {path: sha256} of the archive's members."""
    tables, files = {}, {}
    for info, data in members(archive):
        if info.name.startswith("tables/"):
            tables[info.name[len("tables/"):-len(".jsonl")]] = [json.loads(line) for line in data.splitlines()]
        elif info.name.startswith("uploads/"):
            files[info.name[len("uploads/"):]] = hashlib.sha256(data).hexdigest()
    return tables, files


def write_members(path, entries):
    """Write [(TarInfo, bytes or None)] as a tar.gz at `path` (sizes taken from the bytes)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    Path(path).write_bytes(gzip.compress(buffer.getvalue(), mtime=0))


def file_member(name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def reseal(entries):
    """The entries with the checksum member recomputed from manifest.json (a forger's archive)."""
    manifest = next(data for info, data in entries if info.name == "manifest.json")
    checksum = f"{hashlib.sha256(manifest).hexdigest()}  manifest.json\n".encode()
    return [(info, checksum if info.name == "checksum" else data) for info, data in entries]


def edit_manifest(entries, change):
    """The entries with manifest.json changed by `change(dict)` and the checksum recomputed."""
    edited = []
    for info, data in entries:
        if info.name == "manifest.json":
            manifest = json.loads(data)
            change(manifest)
            data = json.dumps(manifest).encode()
        edited.append((info, data))
    return reseal(edited)
