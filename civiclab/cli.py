"""Command-line tasks: `flask --app wsgi seed-demo` and friends."""
from contextlib import contextmanager

import click
from flask.cli import with_appcontext


@contextmanager
def _on_public_address(base_url=None):
    """Run as a request to the site's public address (CIVICLAB_BASE_URL, or --base-url for this
    command): the links in the mails are built from it."""
    from flask import current_app

    config = current_app.config
    configured = config["CIVICLAB_BASE_URL"]
    config["CIVICLAB_BASE_URL"] = base_url or configured
    try:
        with current_app.test_request_context("/", base_url=config["CIVICLAB_BASE_URL"]):
            yield
    finally:
        config["CIVICLAB_BASE_URL"] = configured


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

    @app.cli.command("send-event-reminders")
    @click.option("--base-url", envvar="CIVICLAB_BASE_URL", default=None,
                  help="The site's address for the links in the mails, e.g. https://civiclab.example.org "
                       "(or CIVICLAB_BASE_URL).")
    @with_appcontext
    def send_event_reminders_command(base_url):
        """Send the reminders due before events (for cron, e.g. every 15 minutes; never twice)."""

        from civiclab.notifications.event_reminders import send_due_reminders

        with _on_public_address(base_url):
            sent = send_due_reminders()
        click.echo(f"{sent} reminder(s) sent")

    @app.cli.command("send-digests")
    @click.argument("period", type=click.Choice(["daily", "weekly"]))
    @click.option("--base-url", envvar="CIVICLAB_BASE_URL", default=None,
                  help="The site's address for the links in the mails (or CIVICLAB_BASE_URL).")
    @with_appcontext
    def send_digests_command(period, base_url):
        """Mail each user the news they chose to get daily or weekly (for cron; never twice)."""

        from civiclab.follows.digests import send_digests

        with _on_public_address(base_url):
            sent = send_digests(period)
        click.echo(f"{sent} digest mail(s) sent")
