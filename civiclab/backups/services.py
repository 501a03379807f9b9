"""Creating a backup of the app's database and uploads, and restoring one into an empty database.

create_backup(path): every table of the app's metadata read in ONE read-only transaction (a
snapshot: REPEATABLE READ on PostgreSQL, a read transaction on SQLite's WAL), rows in primary-key
order, streamed (yield_per) into the archive; then the uploads; then the audit entry, in a short
transaction of its own after the read (so the archive never holds its own trace).

restore_backup(path): the whole archive checked first (archive.read_archive with no callbacks),
then the target: it must be empty (no schema: the migrations are run up to the archive's
revision; or the schema at that same revision and no rows in any table) and so must the upload
folder. Only then is anything written: every table in one transaction, in foreign-key order,
batched; a reference to a row not loaded yet (a comment replying to a later one, a table later in
the order) is inserted NULL and set after its table is loaded, which works on both databases
without deferrable constraints. The archive is read (and checked) again while loading: if it
changed in between, the transaction is rolled back. PostgreSQL's sequences are then set past the
largest id, and the files written to a temporary folder and moved into place after the commit.
"""
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from civiclab.backups.archive import ArchiveError, ArchiveWriter, column_kind, encode, read_archive
from civiclab.core.time import utcnow
from civiclab.extensions import db

READ_BATCH = 1000
VERSION_TABLE = "alembic_version"


class BackupError(Exception):
    """A backup or a restore refused (nothing was written); the message says why."""


@dataclass
class Summary:
    tables: int
    rows: int
    files: int
    bytes: int
    revision: str


# ---- what the database is ------------------------------------------------------------------

def app_tables():
    """Every table of the app's metadata (models and association tables), in foreign-key order."""
    return list(db.metadata.sorted_tables)


def _columns(table):
    return [(column, column_kind(column)) for column in table.columns if column.computed is None]


def _revision(connection):
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    versions = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(versions) != 1:
        raise BackupError(f"the database has {len(versions)} schema revisions in {VERSION_TABLE}: expected one")
    return versions[0]


def _migrations():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return ScriptDirectory.from_config(config)


def known_revision(revision):
    """Whether `revision` is exactly the id of one of these migrations (not an alias such as
    "head", nor a prefix alembic would complete)."""
    try:
        script = _migrations().get_revision(revision)
    except Exception:  # noqa: BLE001 (alembic raises several kinds for an unknown, ambiguous or bad id)
        return False
    return script is not None and script.revision == revision


def head_revision():
    return _migrations().get_current_head()


def upload_folder():
    return Path(current_app.config["UPLOAD_FOLDER"])


def _upload_files(folder):
    """(relative POSIX path, path) of every regular file under `folder`, sorted; links skipped."""
    if not folder.is_dir():
        return []
    found = []
    for root, directories, files in os.walk(folder):
        directories[:] = [name for name in directories if not (Path(root) / name).is_symlink()]
        for name in files:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


# ---- create --------------------------------------------------------------------------------

def create_backup(path, force=False):
    """Write the archive to `path`; returns a Summary. BackupError if `path` exists (unless
    `force`) or its folder does not."""
    target = Path(path)
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give the archive's file name")
    if target.exists() and not force:
        raise BackupError(f"{target} exists already: choose another name (or --force to replace it)")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    uploads = upload_folder().resolve()
    if target.parent.resolve() == uploads or uploads in target.parent.resolve().parents:
        raise BackupError(f"{target} is inside the upload folder ({uploads}): write the archive elsewhere")
    engine = db.engine
    writer = ArchiveWriter(target)
    try:
        with _snapshot(engine) as connection:
            revision = _revision(connection)
            if revision is None:
                raise BackupError("the database has no schema revision (alembic_version): run "
                                  "`flask --app wsgi db upgrade` first")
            existing = set(sa.inspect(connection).get_table_names())
            for table in app_tables():
                if table.name not in existing:
                    raise BackupError(f"the table {table.name} is missing from the database: is it at the "
                                      f"code's revision? (`flask --app wsgi db upgrade`)")
                writer.add_table(table.name, [(column.name, kind) for column, kind in _columns(table)],
                                 _read_rows(connection, table))
        for relative, file in _upload_files(upload_folder()):
            writer.add_upload(relative, file)
        size = writer.write(created_at=utcnow().astimezone(UTC).isoformat(), schema_revision=revision,
                            source=engine.dialect.name)
    except ArchiveError as error:
        raise BackupError(str(error)) from None
    finally:
        writer.close()
    summary = Summary(tables=len(writer.tables), rows=sum(entry["rows"] for entry in writer.tables),
                      files=len(writer.uploads), bytes=size, revision=revision)
    _audit_created(target, summary)
    return summary


def _snapshot(engine):
    """A connection in one read-only transaction that sees one state of the database."""
    from contextlib import contextmanager

    @contextmanager
    def snapshot():
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                          postgresql_readonly=True)
            with connection.begin():
                yield connection

    return snapshot()


def _read_rows(connection, table):
    """The rows of `table` as dicts of JSON values, in primary-key order, streamed."""
    columns = _columns(table)
    selected = [sa.type_coerce(column, sa.String()).label(column.name) if kind == "enum" else column
                for column, kind in columns]
    order = list(table.primary_key.columns) or [column for column, _kind in columns]
    statement = sa.select(*selected).order_by(*order)
    result = connection.execution_options(yield_per=READ_BATCH).execute(statement)
    for row in result:
        yield {column.name: encode(kind, value, column) for (column, kind), value in zip(columns, row)}


def _audit_created(target, summary):
    from civiclab.core.audit import audit

    audit(None, "backup.created", subject_type="backup", path=str(target), tables=summary.tables,
          rows=summary.rows, files=summary.files, bytes=summary.bytes, revision=summary.revision)
    db.session.commit()


# ---- restore -------------------------------------------------------------------------------

def verify_backup(path):
    """The archive's Manifest once every check passed (BackupError otherwise)."""
    try:
        manifest = read_archive(path, on_table=_check_rows)
    except ArchiveError as error:
        raise BackupError(f"{path}: {error}") from None
    except BackupError as error:
        raise BackupError(f"{path}: {error}") from None
    if not known_revision(manifest.revision):
        raise BackupError(f"{path}: the archive's schema revision {manifest.revision!r} is not one this "
                          "version of CivicLab knows (restore it with the version that made it)")
    _check_tables(manifest)
    return manifest


def _check_rows(entry, batches):
    """Each row of the archive's table `entry` fits this code's table: known columns of the same
    kind, no NULL where the column refuses it, aware times for UTCDateTime, enum values of the
    type, texts within the column's length (PostgreSQL enforces it, SQLite does not)."""
    from civiclab.core.time import UTCDateTime

    table = _check_table(entry)
    checks = []
    for column in (table.columns[column["name"]] for column in entry["columns"]):
        base = column.type
        enums = set(base.enums) if isinstance(base, sa.Enum) else None
        length = getattr(base, "length", None) if isinstance(base, sa.String) and enums is None else None
        checks.append((column, not column.nullable, isinstance(base, UTCDateTime), enums, length))
    number = 0
    for batch in batches:
        for row in batch:
            number += 1
            for column, required, aware, enums, length in checks:
                value = row[column.name]
                problem = None
                if value is None:
                    problem = "NULL where the column needs a value" if required else None
                elif aware and value.tzinfo is None:
                    problem = "a time without its zone"
                elif enums is not None and value not in enums:
                    problem = f"{value!r} is not one of its values"
                elif length is not None and len(value) > length:
                    problem = f"a text longer than {length} characters"
                if problem:
                    raise BackupError(f"{entry['member']}, row {number}: {column.name}: {problem}")


def _check_table(entry):
    """This code's table for the archive's table `entry`, whose columns it must know."""
    known = {table.name: table for table in app_tables()}
    table = known.get(entry["name"])
    if table is None:
        raise BackupError(f"the archive has a table this version does not know: {entry['name']}")
    kinds = {column.name: kind for column, kind in _columns(table)}
    for column in entry["columns"]:
        if column["name"] not in kinds:
            raise BackupError(f"the archive has a column this version does not know: "
                              f"{entry['name']}.{column['name']}")
        if column["kind"] != kinds[column["name"]]:
            raise BackupError(f"{entry['name']}.{column['name']} holds {column['kind']} values in the "
                              f"archive and {kinds[column['name']]} values here")
    return table


def _check_tables(manifest):
    """Every table and column of the archive must be known to this code; every table of the
    metadata must be in the archive when the revisions are the same."""
    known = {table.name: table for table in app_tables()}
    for entry in manifest.tables:
        _check_table(entry)
    if manifest.revision == head_revision():
        missing = sorted(set(known) - {entry["name"] for entry in manifest.tables})
        if missing:
            raise BackupError(f"the archive lacks tables of its own revision: {', '.join(missing)}")
        for entry in manifest.tables:
            missing = [column for column, _kind in _columns(known[entry["name"]])
                       if column.name not in {c["name"] for c in entry["columns"]}]
            if missing:
                raise BackupError(f"the archive lacks columns of {entry['name']}: "
                                  f"{', '.join(column.name for column in missing)}")


def _check_target(manifest):
    """Whether the migrations must be run first (no schema); BackupError if the database or the
    upload folder holds anything."""
    engine = db.engine
    with engine.connect() as connection:
        names = set(sa.inspect(connection).get_table_names())
        ours = names & {table.name for table in app_tables()}
        revision = _revision(connection)
        if revision is None and not ours:
            needs_schema = True
        elif revision is None:
            raise BackupError("the database has some of CivicLab's tables but no schema revision: restore "
                              "into an empty database")
        elif revision != manifest.revision:
            raise BackupError(f"the database is at schema revision {revision} and the archive at "
                              f"{manifest.revision}: restore into an empty database")
        else:
            needs_schema = False
            for name in sorted(ours):
                if connection.execute(sa.text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None:
                    raise BackupError(f"the database is not empty (the table {name} has rows): restore "
                                      "only into an empty database")
    folder = upload_folder()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"the upload folder {folder} is not empty: restore only into an empty one")
    return needs_schema


def restore_backup(path):
    """Load the archive at `path` into the app's (empty) database and upload folder; returns a
    Summary. BackupError, with nothing written, when the archive or the target is not right."""
    manifest = verify_backup(path)
    needs_schema = _check_target(manifest)
    if needs_schema:
        from flask_migrate import upgrade

        db.session.remove()
        upgrade(revision=manifest.revision)
        _check_target(manifest)
    folder = upload_folder()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".civiclab-restore-", dir=folder.parent))
    loader = _Loader(staging)
    try:
        engine = db.engine
        with engine.connect() as connection:
            with connection.begin():
                loader.connection = connection
                try:
                    read_archive(path, on_table=loader.load_table, on_upload=loader.write_upload)
                except ArchiveError as error:
                    raise BackupError(f"{path}: {error} (nothing was restored)") from None
                except sa.exc.SQLAlchemyError as error:
                    raise BackupError(f"the database refused a row of {loader.current}: "
                                      f"{getattr(error, 'orig', None) or error} (nothing was restored)") from None
                loader.finish()
            loader.committed = True
        _move_into_place(staging, folder)
    except BaseException:
        if staging.exists() and not getattr(loader, "committed", False):
            shutil.rmtree(staging, ignore_errors=True)
        raise
    db.session.remove()
    return Summary(tables=len(manifest.tables), rows=manifest.rows, files=len(manifest.uploads),
                   bytes=sum(entry["size"] for entry in manifest.uploads), revision=manifest.revision)


def _move_into_place(staging, folder):
    if folder.exists():
        if any(folder.iterdir()):  # filled since the check: keep what is there, say so
            raise BackupError(f"the upload folder {folder} filled up during the restore; the files are "
                              f"in {staging}")
        folder.rmdir()
    staging.chmod(0o755)  # as a folder the app makes (mkdtemp's are private)
    staging.rename(folder)


class _Loader:
    """Inserts each table's rows as read from the archive, and writes the files to `staging`."""

    def __init__(self, staging):
        self.staging = staging
        self.committed = False
        self.current = None
        self.connection = None
        self.loaded = set()
        self.tables = {table.name: table for table in app_tables()}

    def load_table(self, entry, batches):
        table = self.tables[entry["name"]]
        self.current = table.name
        names = [column["name"] for column in entry["columns"]]
        columns = [table.columns[name] for name in names]
        target = sa.table(table.name, *[sa.column(column.name, _insert_type(column)) for column in columns])
        primary = [column.name for column in table.primary_key.columns]
        deferred_columns = self._forward_references(table, names)
        # The keys inserted so far, kept only for a table referring to itself (comments' replies).
        remember = any(referred == table.name for _name, referred, _column in deferred_columns)
        seen, deferred = set(), []
        for batch in batches:
            for row in batch:
                key = tuple(row[name] for name in primary) if primary else None
                for name, referred_table, referred_column in deferred_columns:
                    value = row[name]
                    if value is None:
                        continue
                    if referred_table == table.name and [referred_column] == primary and (value,) in seen:
                        continue  # the row it points to is in already
                    deferred.append((key, name, value))
                    row[name] = None
                if remember:
                    seen.add(key)
            self.connection.execute(sa.insert(target), batch)
        if deferred:
            if not primary:
                raise BackupError(f"{table.name}: a reference to a row not loaded yet in a table without key")
            for key, name, value in deferred:
                self.connection.execute(
                    sa.update(target).where(*[target.c[column] == part for column, part in zip(primary, key)])
                    .values({name: value}))
        self.loaded.add(table.name)

    def _forward_references(self, table, names):
        """(column, referred table, referred column) of the foreign keys that may point at rows not
        inserted yet: to this table itself, or to a table not loaded yet."""
        found = []
        for key in table.foreign_keys:
            referred = key.column.table.name
            if key.parent.name in names and (referred == table.name or referred not in self.loaded):
                if not key.parent.nullable:
                    if referred == table.name:
                        continue  # NOT NULL self-reference: rows in key order must do
                    raise BackupError(f"{table.name}.{key.parent.name} refers to {referred}, which is not "
                                      "loaded before it")
                found.append((key.parent.name, referred, key.column.name))
        return found

    def write_upload(self, entry, chunks):
        target = self.staging / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            out.writelines(chunks)

    def finish(self):
        if self.connection.dialect.name == "postgresql":
            reset_sequences(self.connection)


def _insert_type(column):
    """The type values are bound with: the column's, except JSON's NULL stays SQL NULL."""
    if column_kind(column) == "json":
        return sa.JSON(none_as_null=True)
    return column.type


def reset_sequences(connection):
    """Every serial or identity column's sequence set to its table's largest value (or to start
    afresh on an empty table), so the next insert gets a free id."""
    rows = connection.execute(sa.text(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND (column_default LIKE 'nextval(%' OR is_identity = 'YES') "
        "ORDER BY table_name, column_name")).all()
    for table_name, column_name in rows:
        quoted_table = connection.dialect.identifier_preparer.quote(table_name)
        quoted_column = connection.dialect.identifier_preparer.quote(column_name)
        connection.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column), "
            f"COALESCE((SELECT MAX({quoted_column}) FROM {quoted_table}), 0) + 1, false)"),
            {"table": quoted_table, "column": column_name})
