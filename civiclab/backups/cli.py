"""`flask --app wsgi backup create PATH` and `flask --app wsgi backup restore PATH` (English, as the
app's other commands): a refusal prints its reason and exits with status 1, nothing written."""
import click
from flask.cli import AppGroup, with_appcontext


def register_backup_cli(app):
    group = AppGroup("backup", help="Back up the database and the uploaded files, or restore a backup.")

    @group.command("create")
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--force", is_flag=True, help="Replace PATH if it exists.")
    @with_appcontext
    def create_command(path, force):
        """Write a portable archive of every table and uploaded file to PATH (a .tar.gz)."""
        from civiclab.backups.services import BackupError, create_backup

        try:
            summary = create_backup(path, force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backup written to {path}: {summary.tables} tables, {summary.rows} rows, "
                   f"{summary.files} files; the archive is {summary.bytes} bytes (schema revision "
                   f"{summary.revision})")

    @group.command("verify")
    @click.argument("path", type=click.Path(dir_okay=False))
    @with_appcontext
    def verify_command(path):
        """Check an archive from end to end without restoring it."""
        from civiclab.backups.services import BackupError, verify_backup

        try:
            manifest = verify_backup(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{path} is whole: {len(manifest.tables)} tables, {manifest.rows} rows, "
                   f"{len(manifest.uploads)} files (schema revision {manifest.revision}, "
                   f"made on {manifest.data.get('source')} at {manifest.data.get('created_at')})")

    @group.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False))
    @with_appcontext
    def restore_command(path):
        """Load the archive at PATH into an empty database (SQLite or PostgreSQL, DATABASE_URL) and an
        empty upload folder (UPLOAD_FOLDER). The archive is checked whole before anything is written."""
        from civiclab.backups.services import BackupError, head_revision, restore_backup

        try:
            summary = restore_backup(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored {path}: {summary.tables} tables, {summary.rows} rows, {summary.files} files of "
                   f"{summary.bytes} bytes in all (schema revision {summary.revision})")
        if summary.revision != head_revision():
            click.echo(f"The archive's schema revision is older than this version's ({head_revision()}): "
                       "run `flask --app wsgi db upgrade` now.")

    app.cli.add_command(group)
