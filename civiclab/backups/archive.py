"""The backup archive: its format, how values become portable JSON and back, writing one, and
checking one from end to end before anything is restored from it.

Format (`civiclab-backup`, version 1): a gzip-compressed POSIX tar (pax) file whose members are,
in this order:

    manifest.json           what the archive holds (below); always the first member
    tables/<table>.jsonl    one per table of the app's metadata, in foreign-key order: one JSON
                            object per row, keys = the table's columns in their order, rows in
                            primary-key order
    uploads/<relative path> every regular file of UPLOAD_FOLDER (attachments of proposals and
                            outcomes), sorted by path
    checksum                "<sha256 of manifest.json>  manifest.json\\n": always the last member

manifest.json: {"format": "civiclab-backup", "version": 1, "created_at": ISO-8601 UTC,
"schema_revision": the alembic_version of the source database, "source": "sqlite" | "postgresql",
"tables": [{"name", "member", "columns": [{"name", "kind"}], "rows", "size", "sha256"}],
"uploads": [{"path", "member", "size", "sha256"}]}.

Every member's size and sha256 are in the manifest and the manifest's own sha256 is the last
member, so a flipped byte anywhere, a truncated file, a member missing or added, is found (gzip's
CRC-32 covers the whole stream too). Why tar.gz and not zip: it is written and read as a stream
(a restore reads it front to back, the manifest first), it keeps no second copy of the names (a
zip's central directory can disagree with its local headers), and `tar tzf` lists it anywhere.
Member times, owners and the gzip header time are fixed, so two archives of the same data differ
only in manifest.json's created_at (and the checksum that covers it).

Values go by the column's SQLAlchemy type (never by what the driver returned), so SQLite and
PostgreSQL give the same JSON: datetimes ISO-8601 (aware UTC for UTCDateTime), dates and times ISO,
Numeric as a decimal string (at the column's scale), Float as a JSON number (non-finite ones as
"NaN"/"Infinity"/"-Infinity"), integers exact (Python's JSON keeps big ints), booleans as booleans,
enums by their stored value, JSON columns as JSON (a JSON `null` and SQL NULL both come back as
SQL NULL), binary as base64, text as text.
"""
import base64
import gzip
import hashlib
import io
import json
import math
import os
import re
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

FORMAT_NAME = "civiclab-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHECKSUM = "checksum"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
LINE_MAX_BYTES = 64 * 1024 * 1024  # one row (the app's texts are far shorter)
CHUNK = 1024 * 1024
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
KINDS = ("datetime", "date", "time", "enum", "json", "boolean", "integer", "decimal", "float", "binary", "string")


class ArchiveError(Exception):
    """The archive cannot be written or is not one to restore from (the message says why)."""


# ---- values --------------------------------------------------------------------------------

def _base_type(type_):
    while isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance if hasattr(type_, "impl_instance") else type_.impl
    return type_


def column_kind(column):
    """How the values of `column` are written: one of KINDS (ArchiveError for a type not known)."""
    type_ = _base_type(column.type)
    for kind, types in (("enum", sa.Enum), ("json", sa.JSON), ("boolean", sa.Boolean),
                        ("datetime", sa.DateTime), ("date", sa.Date), ("time", sa.Time),
                        ("integer", sa.Integer), ("float", sa.Float), ("decimal", sa.Numeric),
                        ("binary", sa.LargeBinary), ("string", sa.String)):
        if isinstance(type_, types):
            return kind
    raise ArchiveError(f"column {column.table.name}.{column.name} has a type backups do not know: {column.type!r}")


def encode(kind, value, column=None):
    """A database value (as SQLAlchemy read it with the column's type) as a JSON value."""
    if value is None:
        return None
    if kind == "datetime":
        return value.isoformat()
    if kind in ("date", "time"):
        return value.isoformat()
    if kind == "enum":
        return value if isinstance(value, str) else getattr(value, "name", str(value))
    if kind == "boolean":
        return bool(value)
    if kind == "integer":
        return int(value)
    if kind == "decimal":
        number = value if isinstance(value, Decimal) else Decimal(repr(value))
        scale = getattr(_base_type(column.type), "scale", None) if column is not None else None
        if scale is not None and number.is_finite():
            number = number.quantize(Decimal(1).scaleb(-scale))
        return str(number)
    if kind == "float":
        number = float(value)
        if math.isfinite(number):
            return number
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value  # json, string


def decode(kind, value):
    """A JSON value of the archive as the Python value to insert (ValueError when it is not one)."""
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(_text(value))
    if kind == "date":
        return date.fromisoformat(_text(value))
    if kind == "time":
        return time.fromisoformat(_text(value))
    if kind in ("enum", "string"):
        return _text(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"not a boolean: {value!r}")
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"not an integer: {value!r}")
        return value
    if kind == "decimal":
        try:
            return Decimal(_text(value))
        except InvalidOperation:
            raise ValueError(f"not a decimal: {value!r}") from None
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"not a number: {value!r}")
        return float(value)
    if kind == "binary":
        return base64.b64decode(_text(value), validate=True)
    return value  # json


def _text(value):
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")  # noqa: TRY004 (the callers report a bad row)
    return value


def dump_row(row):
    """One row (a dict in column order) as its JSON line, bytes, newline included."""
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")


def load_row(line):
    return json.loads(line.decode("utf-8"), parse_constant=_no_constant)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


# ---- writing -------------------------------------------------------------------------------

def _member_info(name, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


def _sha256_file(path):
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class ArchiveWriter:
    """Collects the tables (spooled to temporary files next to the archive, so memory stays flat)
    and the uploads, then writes the archive to a temporary file and renames it into place."""

    def __init__(self, target):
        self.target = Path(target)
        self._spool = tempfile.TemporaryDirectory(prefix=".civiclab-backup-", dir=self.target.parent)
        self.tables = []  # manifest entries, with "_spool" (removed before writing)
        self.uploads = []

    def add_table(self, name, columns, rows):
        """`columns`: [(name, kind)]; `rows`: iterable of dicts of JSON values in column order."""
        spool = Path(self._spool.name) / f"{len(self.tables):04d}.jsonl"
        digest, size, count = hashlib.sha256(), 0, 0
        with open(spool, "wb") as out:
            for row in rows:
                line = dump_row(row)
                out.write(line)
                digest.update(line)
                size += len(line)
                count += 1
        self.tables.append({"name": name, "member": f"tables/{name}.jsonl",
                            "columns": [{"name": column, "kind": kind} for column, kind in columns],
                            "rows": count, "size": size, "sha256": digest.hexdigest(), "_spool": spool})
        return count

    def add_upload(self, relative, source):
        check_upload_path(relative)
        digest, size = _sha256_file(source)
        self.uploads.append({"path": relative, "member": f"uploads/{relative}", "size": size,
                             "sha256": digest, "_source": Path(source)})

    def write(self, **fields):
        """Write the archive (fields: created_at, schema_revision, source); returns its size."""
        manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **fields,
                    "tables": [_public(entry) for entry in self.tables],
                    "uploads": [_public(entry) for entry in self.uploads]}
        manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        checksum = f"{hashlib.sha256(manifest_bytes).hexdigest()}  {MANIFEST}\n".encode("ascii")
        descriptor, temporary = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".partial",
                                                 dir=self.target.parent)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed:  # noqa: SIM117
                    with tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                        tar.addfile(_member_info(MANIFEST, len(manifest_bytes)), io.BytesIO(manifest_bytes))
                        for entry in self.tables:
                            with open(entry["_spool"], "rb") as source:
                                tar.addfile(_member_info(entry["member"], entry["size"]), source)
                        for entry in self.uploads:
                            self._add_upload(tar, entry)
                        tar.addfile(_member_info(CHECKSUM, len(checksum)), io.BytesIO(checksum))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(temporary, self.target)  # atomic: the archive is whole or not there
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return self.target.stat().st_size

    @staticmethod
    def _add_upload(tar, entry):
        """Copy the file as hashed; one changed since (an attachment replaced) stops the backup."""
        with open(entry["_source"], "rb") as file:
            source = _HashingReader(file)
            tar.addfile(_member_info(entry["member"], entry["size"]), source)
            trailing = source.read(1)
        if trailing or source.hexdigest() != entry["sha256"]:
            raise ArchiveError(f"the uploaded file {entry['path']} changed while the backup was written: "
                               "run it again")

    def close(self):
        self._spool.cleanup()


def _public(entry):
    return {key: value for key, value in entry.items() if not key.startswith("_")}


class _HashingReader:
    def __init__(self, file):
        self._file, self._digest = file, hashlib.sha256()

    def read(self, size=-1):
        data = self._file.read(size)
        self._digest.update(data)
        return data

    def hexdigest(self):
        return self._digest.hexdigest()


# ---- checking ------------------------------------------------------------------------------

def check_upload_path(relative):
    """A relative POSIX path inside the upload folder: no `..`, not absolute, no odd characters."""
    path = PurePosixPath(relative) if isinstance(relative, str) else None
    if (path is None or not relative or path.is_absolute() or relative != path.as_posix()
            or any(part in ("", ".", "..") for part in relative.split("/"))
            or "\\" in relative or "\x00" in relative or relative.startswith("~")
            or any(ord(character) < 32 for character in relative)):
        raise ArchiveError(f"unsafe file path in the archive: {relative!r}")
    return relative


def _unsafe_member_name(name):
    return (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or re.match(r"^[A-Za-z]:", name)
            or any(part == ".." for part in name.split("/")))


@dataclass
class Manifest:
    data: dict
    raw: bytes = field(repr=False)

    @property
    def revision(self):
        return self.data["schema_revision"]

    @property
    def tables(self):
        return self.data["tables"]

    @property
    def uploads(self):
        return self.data["uploads"]

    def table(self, name):
        return next(entry for entry in self.tables if entry["name"] == name)

    @property
    def rows(self):
        return sum(entry["rows"] for entry in self.tables)


def _parse_manifest(raw):
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ArchiveError(f"manifest.json is not valid JSON ({type(error).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ArchiveError("this is not a CivicLab backup (manifest.json names another format)")
    if data.get("version") != FORMAT_VERSION:
        raise ArchiveError(f"manifest.json: backup format version {data.get('version')!r} is not one this version reads "
                           f"({FORMAT_VERSION})")
    try:
        _check_manifest(data)
    except (KeyError, TypeError, AttributeError) as error:
        raise ArchiveError(f"manifest.json is incomplete or malformed ({error!r})") from None
    return Manifest(data, raw)


def _is_digest(value):
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_manifest(data):
    if not isinstance(data["schema_revision"], str) or not data["schema_revision"]:
        raise ArchiveError("manifest.json names no schema revision")
    members, names = set(), set()
    for entry in data["tables"]:
        name = entry["name"]
        if not isinstance(name, str) or not TABLE_NAME.match(name) or name in names:
            raise ArchiveError(f"manifest.json names a bad or repeated table: {name!r}")
        names.add(name)
        columns = [column["name"] for column in entry["columns"]]
        if (len(set(columns)) != len(columns) or not all(isinstance(c, str) and TABLE_NAME.match(c) for c in columns)
                or not all(column["kind"] in KINDS for column in entry["columns"])):
            raise ArchiveError(f"manifest.json describes the columns of {name} badly")
        if entry["member"] != f"tables/{name}.jsonl" or not (_is_count(entry["rows"]) and _is_count(entry["size"])
                                                               and _is_digest(entry["sha256"])):
            raise ArchiveError(f"manifest.json describes the table {name} badly")
        members.add(entry["member"])
    paths = {entry["path"] for entry in data["uploads"] if isinstance(entry, dict)}
    for entry in data["uploads"]:
        relative = check_upload_path(entry["path"])
        if any(parent.as_posix() in paths for parent in PurePosixPath(relative).parents):
            raise ArchiveError(f"manifest.json names {relative!r} and a file in place of one of its folders")
        member = f"uploads/{relative}"
        if entry["member"] != member or member in members or not (_is_count(entry["size"])
                                                                  and _is_digest(entry["sha256"])):
            raise ArchiveError(f"manifest.json describes the file {relative!r} badly")
        members.add(member)


def _open_stream(path):
    """(file, gzip reader, tar stream) of the archive at `path`."""
    raw = open(path, "rb")  # noqa: SIM115 (returned open; read_archive closes it)
    compressed = gzip.GzipFile(fileobj=raw, mode="rb")
    try:
        tar = tarfile.open(fileobj=compressed, mode="r|", format=tarfile.PAX_FORMAT)  # noqa: SIM115
    except BaseException:
        raw.close()
        raise
    return raw, compressed, tar


READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError, UnicodeDecodeError)


def read_archive(path, on_table=None, on_upload=None):
    """Read the archive at `path` front to back, checking everything; returns its Manifest.

    Every member is hashed and measured against the manifest, every table line is parsed and
    counted. `on_table(entry, rows)` gets each table's rows (lists of decoded dicts in batches)
    and `on_upload(entry, chunks)` each file's bytes, for a restore; without them it only checks.
    ArchiveError says what is wrong; what the callbacks did must be thrown away then.
    """
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file")
    try:
        raw, compressed, tar = _open_stream(path)
    except READ_ERRORS as error:
        raise ArchiveError(f"{path} is not a readable backup archive ({error})") from None
    try:
        with raw:
            manifest = _read_members(tar, on_table, on_upload)
            # The rest of the gzip stream (tar's padding): reading it to its end checks gzip's
            # CRC-32 and length, so a cut in the last bytes is found too.
            while chunk := compressed.read(CHUNK):
                if chunk.strip(b"\0"):  # past the end of the tar: only its zero padding
                    raise ArchiveError("the archive has data after its end")
            if raw.read(1):
                raise ArchiveError("the archive has data after its end")
    except READ_ERRORS as error:
        raise ArchiveError(f"the archive is damaged or truncated ({type(error).__name__}: {error})") from None
    return manifest


def _read_members(tar, on_table, on_upload):
    manifest, expected, seen, checksum = None, {}, set(), None
    for info in tar:
        name = info.name
        if checksum is not None:
            raise ArchiveError(f"unexpected member after the checksum: {name!r}")
        if _unsafe_member_name(name):
            raise ArchiveError(f"unsafe member name in the archive: {name!r}")
        if not info.isreg():
            kind = "link" if (info.issym() or info.islnk()) else "non-file"
            raise ArchiveError(f"the archive holds a {kind} member ({name!r}): backups hold only files")
        if name in seen:
            raise ArchiveError(f"the member {name!r} is in the archive twice")
        seen.add(name)
        source = tar.extractfile(info)
        if manifest is None:
            if name != MANIFEST:
                raise ArchiveError("manifest.json is not the archive's first member: not a CivicLab backup")
            if info.size > MANIFEST_MAX_BYTES:
                raise ArchiveError("manifest.json is too large")
            manifest = _parse_manifest(source.read())
            expected = {entry["member"]: ("table", entry) for entry in manifest.tables}
            expected.update({entry["member"]: ("upload", entry) for entry in manifest.uploads})
            continue
        if name == CHECKSUM:
            checksum = source.read(1024)
            continue
        if name not in expected:
            raise ArchiveError(f"unexpected member in the archive: {name!r}")
        kind, entry = expected[name]
        if info.size != entry["size"]:
            raise ArchiveError(f"{name}: {info.size} bytes where the manifest says {entry['size']}")
        if kind == "table":
            digest = _read_table(source, entry, on_table)
        else:
            digest = _read_upload(source, entry, on_upload)
        if digest != entry["sha256"]:
            raise ArchiveError(f"{name} is damaged (its sha256 does not match the manifest)")
    if manifest is None:
        raise ArchiveError("the archive is empty")
    missing = sorted(set(expected) - seen)
    if missing:
        raise ArchiveError(f"the archive is incomplete: {', '.join(missing[:5])} missing")
    if checksum is None:
        raise ArchiveError("the archive is incomplete: its checksum (the last member) is missing")
    if checksum != f"{hashlib.sha256(manifest.raw).hexdigest()}  {MANIFEST}\n".encode("ascii"):
        raise ArchiveError("manifest.json is damaged (its sha256 does not match the checksum)")
    return manifest


def _lines(source, digest):
    """The lines of `source`, hashing every byte read."""
    pending = b""
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        pending += chunk
        *lines, pending = pending.split(b"\n")
        yield from lines
        if len(pending) > LINE_MAX_BYTES:
            raise ArchiveError("a table line is too long")
    if pending:
        raise ArchiveError("a table member does not end with a newline (truncated)")


BATCH = 1000


def _read_table(source, entry, on_table):
    digest = hashlib.sha256()
    kinds = {column["name"]: column["kind"] for column in entry["columns"]}
    names = list(kinds)
    count = 0

    def rows():
        nonlocal count
        batch = []
        for line in _lines(source, digest):
            count += 1
            try:
                row = load_row(line)
                if not isinstance(row, dict) or list(row) != names:
                    raise ValueError("its columns are not the manifest's")
                decoded = {name: decode(kinds[name], value) for name, value in row.items()}
            except (ValueError, TypeError, UnicodeDecodeError, RecursionError) as error:
                raise ArchiveError(f"{entry['member']}, line {count}: not a row of the table ({error})") from None
            batch.append(decoded)
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    if on_table is None:
        for _batch in rows():
            pass
    else:
        on_table(entry, rows())
        for _batch in rows():  # what the callback left unread (it should read everything)
            pass
    if count != entry["rows"]:
        raise ArchiveError(f"{entry['member']}: {count} rows where the manifest says {entry['rows']}")
    return digest.hexdigest()


def _read_upload(source, entry, on_upload):
    digest = hashlib.sha256()

    def chunks():
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            yield chunk

    if on_upload is None:
        for _chunk in chunks():
            pass
    else:
        on_upload(entry, chunks())
    return digest.hexdigest()
