"""Command-line tasks: `flask --app wsgi seed-demo` and friends."""
import click
from flask.cli import with_appcontext


def register_cli(app):
    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True, help="Load even on a production app (throwaway copies only).")
    @with_appcontext
    def seed_demo_command(force):
        """Load the demo data built from the seeds (idempotent; development only)."""
        from civiclab.demo import seed_demo
        from civiclab.extensions import db

        summary = seed_demo(force=force)
        db.session.commit()
        for line in summary:
            click.echo(line)
