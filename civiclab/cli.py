"""Command-line tasks: `flask --app wsgi seed-demo` and friends."""
import click
from flask.cli import with_appcontext


def _on_public_address(base_url=None):
    """Run as a request to the site's public address (CIVICLAB_BASE_URL, or --base-url for this
    command): the links in the mails are built from it."""
    from civiclab.core.urls import on_public_address

    return on_public_address(base_url)


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

        from civiclab.core import jobs
        from civiclab.notifications.event_reminders import reminders_job, send_due_reminders

        if jobs.uses_queue():  # the timer only queues; the worker sends
            jobs.enqueue(reminders_job, base_url)
            click.echo("reminders queued for the worker")
            return
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

        from civiclab.core import jobs
        from civiclab.follows.digests import digests_job, send_digests

        if jobs.uses_queue():  # the timer only queues; the worker sends
            jobs.enqueue(digests_job, period, base_url)
            click.echo(f"{period} digests queued for the worker")
            return
        with _on_public_address(base_url):
            sent = send_digests(period)
        click.echo(f"{sent} digest mail(s) sent")

    @app.cli.command("bench-data")
    @click.option("--proposals", default=0, show_default=True, help="Published proposals to add to the call.")
    @click.option("--comments", default=0, show_default=True, help="Comments to add in all.")
    @click.option("--comments-on-one", default=2000, show_default=True,
                  help="Of those, how many go on one proposal (the busy one).")
    @click.option("--busy-proposal", type=int, default=None,
                  help="The proposal that gets them (default: the call's fourth public proposal, /proposte/4 "
                       "on the demo data).")
    @click.option("--supports", type=int, default=None, help="Supports on the new proposals (default 2 each).")
    @click.option("--users", type=int, default=None, help="Citizens to add (default proposals/10, at least 50).")
    @click.option("--call", "call_id", type=int, default=None,
                  help="The call that gets the proposals (default: the first open published call).")
    @click.option("--seed", default=13, show_default=True, help="The same seed makes the same data.")
    @click.option("--force", is_flag=True, help="Run even on a production app (throwaway copies only).")
    @with_appcontext
    def bench_data_command(proposals, comments, comments_on_one, busy_proposal, supports, users, call_id,
                           seed, force):
        """Add bulk data on top of what is there (the demo data), to measure how pages grow."""
        import time

        from civiclab.benchdata import generate
        from civiclab.extensions import db

        started = time.perf_counter()
        summary = generate(proposals=proposals, comments=comments, comments_on_one=comments_on_one,
                           supports=supports, users=users, call_id=call_id, busy_proposal_id=busy_proposal,
                           seed=seed, force=force)
        db.session.commit()
        # The planner's statistics, so that it reads the new rows through the indexes.
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        for label, value in summary.items():
            click.echo(f"{label}: {value}")
        click.echo(f"in {time.perf_counter() - started:.1f} s")

    from civiclab.backups.cli import register_backup_cli

    register_backup_cli(app)  # `backup create|verify|restore` (issue 15)
