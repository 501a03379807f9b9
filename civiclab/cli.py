"""Command-line tasks: `flask --app wsgi seed-demo` and friends."""
import click
from flask.cli import with_appcontext


def register_cli(app):
    @app.cli.command("seed-demo")
    @with_appcontext
    def seed_demo_command():
        """Load the demo data built from the seeds (idempotent; development only)."""
        from civiclab.demo import seed_demo
        from civiclab.extensions import db

        summary = seed_demo()
        db.session.commit()
        for line in summary:
            click.echo(line)
