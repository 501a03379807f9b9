"""`flask backup create|verify|restore` on SQLite files: a world with tricky values goes into an
archive and comes back identical; every damaged or unexpected archive, and every target that is
not empty, is refused with a reason, exit status 1 and nothing written."""
import hashlib
import json
import tarfile
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.fixtures.factories import factories_on
from tests.unit.backups.tools import (
    app_on,
    archive_rows,
    database_rows,
    dispose,
    edit_manifest,
    file_member,
    folder_files,
    members,
    reseal,
    row_count,
    run_cli,
    table_names,
    write_members,
)

NAME = "Zoë 🌱 «Ciao» — 日本語\u202fok\n\"quoted\"\\ and '"
BIG = 9_223_372_036_854_775_807  # the largest BigInteger
WHEN = datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC)
SNAPSHOT = {"titolo": "Caffè ☕", "n": [1, 2.5, None, True, 2**53 + 1], "nested": {"vuoto": {}, "lista": []}}
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4


def _build_world(app, uploads):
    from civiclab.accounts.models import ParticipantType
    from civiclab.comments.models import Comment, Stance
    from civiclab.extensions import db
    from civiclab.proposals.models import Attachment, ProposalTransition

    with app.app_context():
        make = factories_on(db.session)
        author = make.make_user(display_name=NAME, participant_type=ParticipantType.SCUOLA)
        lab = make.make_lab(latitude=Decimal("44.494887"), longitude=Decimal("-11.342616"))
        project = make.make_project(city=lab.city, programmato_cents=BIG, cup=None, start_date=date(2024, 2, 29))
        proposal = make.make_proposal(call=make.make_call(project=project, lab=lab), author=author,
                                      body="Un **orto** 🌻 per tutti", submitted_at=WHEN)
        db.session.add(ProposalTransition(proposal_id=proposal.id, actor_id=author.id, from_state="submitted",
                                          to_state="accepted", snapshot=SNAPSHOT, created_at=WHEN))
        db.session.add(ProposalTransition(proposal_id=proposal.id, actor_id=None, from_state="accepted",
                                          to_state="adopted", snapshot=None))
        db.session.add(Attachment(proposal_id=proposal.id, filename="Relazione «finale».pdf",
                                  stored_name="abc123.pdf", content_type="application/pdf", size=len(PDF)))
        # A reply whose id is smaller than its parent's: it must wait for the parent on a restore.
        reply = Comment(proposal_id=proposal.id, author_id=author.id, body="Risposta", depth=1,
                        stance=Stance.AGAINST)
        db.session.add(reply)
        db.session.flush()
        parent = Comment(proposal_id=proposal.id, author_id=author.id, body="Primo 🙂", stance=Stance.IN_FAVOUR)
        db.session.add(parent)
        db.session.flush()
        reply.parent_id = reply.root_id = parent.id
        db.session.commit()
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "abc123.pdf").write_bytes(PDF)
    (uploads / "sub" / "dir").mkdir(parents=True)
    (uploads / "sub" / "dir" / "nested.bin").write_bytes(b"\x00\xff" * 1000)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A world on a SQLite file and its archive, made once by `flask backup create`."""
    folder = tmp_path_factory.mktemp("backup-source")
    uploads = folder / "uploads"
    app = app_on(f"sqlite:///{folder / 'source.db'}", uploads)
    _build_world(app, uploads)
    rows = database_rows(app)
    archive = folder / "world.tar.gz"
    code, output = run_cli(app, "create", archive)
    assert code == 0, output
    yield SimpleNamespace(app=app, archive=archive, rows=rows, files=folder_files(uploads), output=output,
                          folder=folder)
    dispose(app)


@pytest.fixture
def target(tmp_path):
    """An app on a new, empty SQLite file (no schema) and an upload folder that does not exist yet."""
    uploads = tmp_path / "restored-uploads"
    app = app_on(f"sqlite:///{tmp_path / 'target.db'}", uploads, migrate=False)
    yield SimpleNamespace(app=app, uploads=uploads, folder=tmp_path)
    dispose(app)


def assert_nothing_written(target):
    assert table_names(target.app) == set()
    assert folder_files(target.uploads) == {}
    assert not [path.name for path in target.folder.iterdir() if path.name.startswith(".civiclab-restore-")]


def test_create_says_what_it_wrote(source):
    assert "Backup written to" in source.output
    assert f"{len(source.rows)} tables" in source.output
    assert "2 files" in source.output
    assert f"{sum(len(rows) for rows in source.rows.values())} rows" in source.output


def test_the_archive_holds_every_row_and_file_as_read_from_the_database(source):
    tables, files = archive_rows(source.archive)
    assert tables == source.rows
    assert files == source.files


def test_the_archive_keeps_values_portable(source):
    tables, _files = archive_rows(source.archive)
    user = next(row for row in tables["users"] if row["display_name"] == NAME)
    assert user["participant_type"] == "scuola"  # the stored value
    assert isinstance(user["is_admin"], bool)
    project = tables["projects"][0]
    assert project["programmato_cents"] == BIG and project["cup"] is None and project["start_date"] == "2024-02-29"
    assert tables["labs"][0]["latitude"] == "44.494887" and tables["labs"][0]["longitude"] == "-11.342616"
    transition = tables["proposal_transitions"][0]
    assert transition["snapshot"] == SNAPSHOT and transition["created_at"] == "2024-02-29T23:59:58.123456+00:00"
    assert {row["stance"] for row in tables["comments"]} == {"against", "in_favour"}


def test_restore_into_an_empty_database_gives_back_every_row_and_file(source, target):
    from civiclab.accounts.models import User
    from civiclab.comments.models import Comment
    from civiclab.extensions import db
    from civiclab.programmes.models import Project
    from civiclab.proposals.models import ProposalTransition

    code, output = run_cli(target.app, "restore", source.archive)
    assert code == 0, output
    assert "Restored" in output
    assert database_rows(target.app) == source.rows
    assert folder_files(target.uploads) == source.files
    with target.app.app_context():  # read back through the models, not through the archive's code
        assert db.session.scalar(sa.select(User.display_name).filter_by(display_name=NAME)) == NAME
        assert db.session.scalar(sa.select(Project.programmato_cents)) == BIG
        snapshots = db.session.scalars(sa.select(ProposalTransition.snapshot).order_by(ProposalTransition.id)).all()
        assert snapshots == [SNAPSHOT, None]
        assert db.session.scalar(sa.select(ProposalTransition.created_at).order_by(ProposalTransition.id)) == WHEN
        reply = db.session.scalar(sa.select(Comment).order_by(Comment.id))
        assert reply.parent_id == reply.root_id == reply.id + 1
        db.session.remove()
    # And the restored database makes the same archive.
    again = target.folder / "again.tar.gz"
    code, output = run_cli(target.app, "create", again)
    assert code == 0, output
    assert archive_rows(again) == archive_rows(source.archive)
    first, second = members(source.archive), members(again)
    assert [(info.name, data) for info, data in first if info.name.startswith(("tables/", "uploads/"))] == \
        [(info.name, data) for info, data in second if info.name.startswith(("tables/", "uploads/"))]


def test_verify_checks_an_archive_without_restoring(source):
    code, output = run_cli(source.app, "verify", source.archive)
    assert code == 0, output
    assert "is whole" in output


def test_verify_refuses_a_damaged_archive(source, tmp_path):
    archive = tmp_path / "bad.tar.gz"
    write_members(archive, _change_member("tables/users", lambda data: _flip(data, 10))(members(source.archive)))
    code, output = run_cli(source.app, "verify", archive)
    assert code == 1 and "damaged" in output, output


def test_create_refuses_to_overwrite_unless_forced(source):
    existing = source.folder / "existing.tar.gz"
    existing.write_bytes(b"keep me")
    code, output = run_cli(source.app, "create", existing)
    assert code == 1 and "exists already" in output
    assert existing.read_bytes() == b"keep me"
    now = database_rows(source.app)  # (with the audit log's entries of the earlier backups, if it keeps any)
    code, output = run_cli(source.app, "create", "--force", existing)
    assert code == 0, output
    assert archive_rows(existing)[0] == now
    assert not [path for path in source.folder.iterdir() if path.name.endswith(".partial")]


def test_create_refuses_a_missing_folder(source):
    code, output = run_cli(source.app, "create", source.folder / "nowhere" / "x.tar.gz")
    assert code == 1 and "does not exist" in output


def test_create_leaves_its_trace_in_the_audit_log(source):
    from civiclab.core.signals import audited

    received = []
    rows_now = sum(len(rows) for rows in database_rows(source.app).values())  # the first create's entry too

    def record(actor, **fields):
        received.append((actor, fields))

    audited.connect(record)
    try:
        code, output = run_cli(source.app, "create", source.folder / "audited.tar.gz")
    finally:
        audited.disconnect(record)
    assert code == 0, output
    [(actor, fields)] = received
    assert actor is None and fields["action"] == "backup.created" and fields["subject_type"] == "backup"
    assert fields["details"]["rows"] == rows_now
    assert fields["details"]["path"].endswith("audited.tar.gz")


# ---- refusals: damaged or unexpected archives --------------------------------------------

def _flip(data, at):
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def _change_member(name_start, change):
    def rewrite(entries):
        return [(info, change(data) if info.name.startswith(name_start) and data else data)
                for info, data in entries]
    return rewrite


def _drop(name_start):
    def rewrite(entries):
        dropped = [entry for entry in entries if entry[0].name.startswith(name_start)][:1]
        return [entry for entry in entries if entry not in dropped]
    return rewrite


def _insert_before_checksum(*extra):
    def rewrite(entries):
        return entries[:-1] + list(extra) + entries[-1:]
    return rewrite


def _link(kind, name, target="abc123.pdf"):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def _set(path, value):
    def change(manifest):
        *keys, last = path
        node = manifest
        for key in keys:
            node = node[key]
        node[last] = value
    return change


REWRITES = {
    "a flipped byte in a table": (_change_member("tables/users", lambda data: _flip(data, 10)), "damaged"),
    "a flipped byte in an upload": (_change_member("uploads/abc123", lambda data: _flip(data, 100)), "damaged"),
    "a flipped byte in the manifest": (_change_member("manifest.json", lambda data: _flip(data, 40)), "manifest"),
    "a flipped byte in the checksum": (_change_member("checksum", lambda data: _flip(data, 3)), "checksum"),
    "a table missing": (_drop("tables/comments"), "missing"),
    "an upload missing": (_drop("uploads/sub"), "missing"),
    "the checksum missing": (_drop("checksum"), "checksum"),
    "the manifest missing": (_drop("manifest.json"), "first member"),
    "an extra member": (_insert_before_checksum(file_member("tables/extra.jsonl", b"{}\n")), "unexpected"),
    "an extra upload": (_insert_before_checksum(file_member("uploads/extra.pdf", b"x")), "unexpected"),
    "a ../ member": (_insert_before_checksum(file_member("../evil", b"x")), "unsafe member name"),
    "a nested ../ member": (_insert_before_checksum(file_member("uploads/../../evil", b"x")), "unsafe"),
    "an absolute member": (_insert_before_checksum(file_member("/tmp/evil", b"x")), "unsafe member name"),
    "a symlink member": (_insert_before_checksum(_link(tarfile.SYMTYPE, "uploads/link", "/etc/passwd")), "link"),
    "a hard link member": (_insert_before_checksum(_link(tarfile.LNKTYPE, "uploads/hard")), "link"),
    "a member after the checksum": (lambda entries: entries + [file_member("late.txt", b"x")], "after the checksum"),
    "a member twice": (lambda entries: entries[:2] + entries[1:], "twice"),
    "a table cut short": (_change_member("tables/users", lambda data: data[:-5]), "bytes where the manifest says"),
    "an unknown revision": (lambda entries: edit_manifest(entries, _set(["schema_revision"], "9999_future")),
                            "not one this version"),
    "a row count that lies": (lambda entries: _resized(entries, "users", rows=+1), "rows where the manifest"),
    "a line that is not a row": (lambda entries: _replace_table(entries, "form_keys", b"[1, 2]\n"), "not a row"),
    "a value of the wrong kind": (lambda entries: _retype(entries), "not a row"),
    "a manifest path with ../": (lambda entries: edit_manifest(entries, _set(["uploads", 0, "path"], "../evil")),
                                 "unsafe file path"),
    "a table this version does not know": (lambda entries: _rename_table(entries, "users", "people"),
                                           "does not know"),
    "a revision alias": (lambda entries: edit_manifest(entries, _set(["schema_revision"], "head")),
                         "not one this version"),
    "a revision prefix": (lambda entries: edit_manifest(entries, _set(["schema_revision"], "0001")),
                          "not one this version"),
    "a NULL where a value is needed": (lambda entries: _edit_rows(entries, "users", display_name=None), "NULL"),
    "a time without its zone": (lambda entries: _edit_rows(entries, "users", created_at="2024-01-01T10:00:00"),
                                "without its zone"),
    "an enum value the type lacks": (lambda entries: _edit_rows(entries, "users", participant_type="pirata"),
                                     "not one of its values"),
    "a text too long for its column": (lambda entries: _edit_rows(entries, "users", locale="x" * 500),
                                       "longer than"),
    "a file where a folder is": (lambda entries: _with_upload(entries, "sub", b"a file named like a folder"),
                                 "in place of one of its folders"),
    "a row nested too deep": (lambda entries: _replace_table(entries, "form_keys", b"[" * 100000 + b"]" * 100000 + b"\n"),
                              "not a row"),
    "another format": (lambda entries: edit_manifest(entries, _set(["format"], "something-else")),
                       "not a CivicLab backup"),
}


def _manifest(entries):
    return json.loads(next(data for info, data in entries if info.name == "manifest.json"))


def _with_manifest(entries, manifest):
    data = json.dumps(manifest).encode()
    return reseal([(info, data if info.name == "manifest.json" else other) for info, other in entries])


def _resized(entries, table, rows):
    manifest = _manifest(entries)
    for entry in manifest["tables"]:
        if entry["name"] == table:
            entry["rows"] += rows
    return _with_manifest(entries, manifest)


def _replace_table(entries, table, data):
    """A forger's archive: the member replaced and the manifest's size and sha256 made to match."""
    manifest = _manifest(entries)
    for entry in manifest["tables"]:
        if entry["name"] == table:
            entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest(), rows=data.count(b"\n"))
    replaced = [(info, data if info.name == f"tables/{table}.jsonl" else other) for info, other in entries]
    return _with_manifest(replaced, manifest)


def _retype(entries):
    users = next(data for info, data in entries if info.name == "tables/users.jsonl")
    rows = [json.loads(line) for line in users.splitlines()]
    rows[0]["is_admin"] = "yes"
    data = b"".join(json.dumps(row).encode() + b"\n" for row in rows)
    return _replace_table(entries, "users", data)


def _edit_rows(entries, table, **values):
    data = next(data for info, data in entries if info.name == f"tables/{table}.jsonl")
    rows = [json.loads(line) for line in data.splitlines()]
    rows[0].update(values)
    return _replace_table(entries, table, b"".join(json.dumps(row).encode() + b"\n" for row in rows))


def _with_upload(entries, path, data):
    manifest = _manifest(entries)
    manifest["uploads"].append({"path": path, "member": f"uploads/{path}", "size": len(data),
                                "sha256": hashlib.sha256(data).hexdigest()})
    return _with_manifest(entries[:-1] + [file_member(f"uploads/{path}", data)] + entries[-1:], manifest)


def _rename_table(entries, old, new):
    manifest = _manifest(entries)
    for entry in manifest["tables"]:
        if entry["name"] == old:
            entry.update(name=new, member=f"tables/{new}.jsonl")
    renamed = []
    for info, data in entries:
        if info.name == f"tables/{old}.jsonl":
            info = tarfile.TarInfo(f"tables/{new}.jsonl")
        renamed.append((info, data))
    return _with_manifest(renamed, manifest)


@pytest.mark.parametrize("case", list(REWRITES))
def test_a_damaged_or_unexpected_archive_is_refused_before_anything_is_written(source, target, case):
    rewrite, reason = REWRITES[case]
    archive = target.folder / "bad.tar.gz"
    write_members(archive, rewrite(members(source.archive)))
    code, output = run_cli(target.app, "restore", archive)
    assert code == 1, output
    assert reason in output, output
    assert_nothing_written(target)


def test_the_rewritten_archive_of_the_tests_is_itself_restorable(source, target):
    """(The refusals above come from the change, not from how the tests rewrite archives.)"""
    archive = target.folder / "same.tar.gz"
    write_members(archive, members(source.archive))
    code, output = run_cli(target.app, "restore", archive)
    assert code == 0, output
    assert database_rows(target.app) == source.rows


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.25, 0.5, 0.75, 0.99])
def test_a_truncated_archive_is_refused(source, target, fraction):
    data = source.archive.read_bytes()
    archive = target.folder / "cut.tar.gz"
    archive.write_bytes(data[:int(len(data) * fraction)])
    code, output = run_cli(target.app, "restore", archive)
    assert code == 1, output
    assert "damaged" in output or "truncated" in output or "not a readable" in output, output
    assert_nothing_written(target)


@pytest.mark.parametrize("cut", [1, 4, 8, 9, 100])
def test_an_archive_missing_its_last_bytes_is_refused(source, target, cut):
    data = source.archive.read_bytes()
    archive = target.folder / "cut.tar.gz"
    archive.write_bytes(data[:-cut])
    code, output = run_cli(target.app, "restore", archive)
    assert code == 1, output
    assert_nothing_written(target)


@pytest.mark.parametrize("fraction", [0.0005, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999])
def test_a_flipped_byte_in_the_compressed_file_is_refused(source, target, fraction):
    data = source.archive.read_bytes()
    archive = target.folder / "flipped.tar.gz"
    archive.write_bytes(_flip(data, max(10, int(len(data) * fraction))))
    code, output = run_cli(target.app, "restore", archive)
    assert code == 1, output
    assert_nothing_written(target)


def test_something_that_is_not_an_archive_is_refused(source, target):
    archive = target.folder / "notes.txt"
    archive.write_text("non è un archivio")
    code, output = run_cli(target.app, "restore", archive)
    assert code == 1 and "not a readable backup archive" in output or "damaged" in output, output
    assert_nothing_written(target)
    code, output = run_cli(target.app, "restore", target.folder / "missing.tar.gz")
    assert code == 1 and "no such file" in output


def test_data_after_the_end_is_refused(source, target):
    archive = target.folder / "longer.tar.gz"
    archive.write_bytes(source.archive.read_bytes() + b"garbage")
    code, output = run_cli(target.app, "restore", archive)
    assert code == 1, output
    assert_nothing_written(target)


def test_data_hidden_after_the_tar_end_is_refused(source, target):
    import gzip

    tar = gzip.decompress(source.archive.read_bytes())
    archive = target.folder / "hidden.tar.gz"
    archive.write_bytes(gzip.compress(tar + b"hidden" + b"\0" * 1024, mtime=0))
    code, output = run_cli(target.app, "restore", archive)
    assert code == 1 and "data after its end" in output, output
    assert_nothing_written(target)


# ---- refusals: targets that are not empty ------------------------------------------------

def test_a_database_with_rows_is_refused(source, tmp_path):
    from civiclab.extensions import db

    app = app_on(f"sqlite:///{tmp_path / 'full.db'}", tmp_path / "uploads")
    try:
        with app.app_context():
            factories_on(db.session).make_city(name="Già qui")
            db.session.remove()
        before = database_rows(app)
        code, output = run_cli(app, "restore", source.archive)
        assert code == 1 and "the database is not empty" in output, output
        assert database_rows(app) == before
        assert folder_files(tmp_path / "uploads") == {}
    finally:
        dispose(app)


def test_a_database_with_the_schema_and_no_rows_is_restored_into(source, tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'schema.db'}", tmp_path / "uploads")
    try:
        code, output = run_cli(app, "restore", source.archive)
        assert code == 0, output
        assert database_rows(app) == source.rows
    finally:
        dispose(app)


def test_a_database_at_another_revision_is_refused(source, tmp_path):
    from flask_migrate import upgrade

    app = app_on(f"sqlite:///{tmp_path / 'old.db'}", tmp_path / "uploads", migrate=False)
    try:
        with app.app_context():
            upgrade(revision="0015_api_tokens")
        code, output = run_cli(app, "restore", source.archive)
        assert code == 1 and "revision 0015_api_tokens" in output, output
        assert row_count(app) == 0
    finally:
        dispose(app)


def test_a_row_the_database_refuses_rolls_back_the_whole_restore(source, target):
    """Two users with one e-mail address pass every check of the archive; the database's unique
    constraint refuses the second, and no row stays (the schema the migrations made does, empty:
    the good archive is then restored into it)."""
    users = next(data for info, data in members(source.archive) if info.name == "tables/users.jsonl")
    rows = [json.loads(line) for line in users.splitlines()]
    twin = {**rows[0], "id": rows[-1]["id"] + 1}
    archive = target.folder / "twins.tar.gz"
    write_members(archive, _replace_table(members(source.archive), "users",
                                          b"".join(json.dumps(row).encode() + b"\n" for row in rows + [twin])))
    code, output = run_cli(target.app, "restore", archive)
    assert code == 1 and "the database refused a row of users" in output, output
    assert row_count(target.app) == 0
    assert folder_files(target.uploads) == {}
    assert not [path.name for path in target.folder.iterdir() if path.name.startswith(".civiclab-restore-")]
    code, output = run_cli(target.app, "restore", source.archive)
    assert code == 0, output
    assert database_rows(target.app) == source.rows


def test_create_refuses_to_write_into_the_upload_folder(source):
    code, output = run_cli(source.app, "create", source.folder / "uploads" / "inside.tar.gz")
    assert code == 1 and "inside the upload folder" in output
    assert "inside.tar.gz" not in folder_files(source.folder / "uploads")


def test_a_full_upload_folder_is_refused(source, target):
    target.uploads.mkdir()
    (target.uploads / "mine.pdf").write_bytes(b"someone's file")
    code, output = run_cli(target.app, "restore", source.archive)
    assert code == 1 and "upload folder" in output and "not empty" in output, output
    assert table_names(target.app) == set()
    assert folder_files(target.uploads) == {"mine.pdf": hashlib.sha256(b"someone's file").hexdigest()}


OLDER = "0015_api_tokens"


def schema_at(revision, folder):
    """{table: [column]} of the schema the migrations make up to `revision`."""
    from flask_migrate import upgrade

    from civiclab.extensions import db

    folder.mkdir()
    app = app_on(f"sqlite:///{folder / 'schema.db'}", folder / "uploads", migrate=False)
    try:
        with app.app_context():
            upgrade(revision=revision)
            inspector = sa.inspect(db.engine)
            return {name: [column["name"] for column in inspector.get_columns(name)]
                    for name in inspector.get_table_names()}
    finally:
        dispose(app)


def rows_of(app, name, columns):
    """The rows of table `name`, only `columns`, as the archive writes them."""
    from civiclab.backups.archive import column_kind, encode
    from civiclab.extensions import db

    table = db.metadata.tables[name]
    chosen = [table.columns[column] for column in columns]
    selected = [sa.type_coerce(column, sa.String()).label(column.name) if column_kind(column) == "enum" else column
                for column in chosen]
    with app.app_context(), db.engine.connect() as connection:
        result = connection.execute(sa.select(*selected).order_by(*table.primary_key.columns))
        return [{column.name: encode(column_kind(column), value, column) for column, value in zip(chosen, row)}
                for row in result]


def test_an_archive_of_an_older_revision_is_restored_at_its_revision(source, target):
    """(Forged from the world's: only the tables and columns the migrations had made at OLDER.)"""
    from civiclab.backups.archive import dump_row

    schema = schema_at(OLDER, target.folder / "older-schema")
    entries = members(source.archive)
    data = {info.name: content for info, content in entries}
    manifest = _manifest(entries)
    manifest["schema_revision"] = OLDER
    kept, expected = [], {}
    for entry in manifest["tables"]:
        if entry["name"] not in schema:
            continue
        columns = [column for column in entry["columns"] if column["name"] in schema[entry["name"]]]
        rows = [{column["name"]: row[column["name"]] for column in columns}
                for row in map(json.loads, data[entry["member"]].splitlines())]
        blob = b"".join(dump_row(row) for row in rows)
        entry.update(columns=columns, rows=len(rows), size=len(blob), sha256=hashlib.sha256(blob).hexdigest())
        data[entry["member"]] = blob
        kept.append(entry)
        expected[entry["name"]] = rows
    manifest["tables"] = kept
    assert "verified_identities" not in expected and "users" in expected  # (made by 0016)
    rewritten = [(info, data[info.name]) for info, _old in entries
                 if not info.name.startswith("tables/") or info.name[len("tables/"):-len(".jsonl")] in expected]
    archive = target.folder / "older.tar.gz"
    write_members(archive, _with_manifest(rewritten, manifest))
    code, output = run_cli(target.app, "restore", archive)
    assert code == 0, output
    assert "flask --app wsgi db upgrade" in output
    assert "verified_identities" not in table_names(target.app)
    with target.app.app_context():
        from civiclab.backups.services import _revision
        from civiclab.extensions import db

        with db.engine.connect() as connection:
            assert _revision(connection) == OLDER
    for name, rows in expected.items():
        assert rows_of(target.app, name, list(rows[0]) if rows else schema[name][:1]) == rows, name


def test_an_empty_upload_folder_is_fine(source, target):
    target.uploads.mkdir()
    code, output = run_cli(target.app, "restore", source.archive)
    assert code == 0, output
    assert folder_files(target.uploads) == source.files
