"""`flask --app wsgi jobs worker|failed|requeue`: the worker that sends mail, and the failed jobs."""
import click
from flask import current_app
from flask.cli import AppGroup

from civiclab.core import jobs

jobs_commands = AppGroup("jobs", help="The job queue (JOB_QUEUE=rq): its worker and its failed jobs.")


def _queue_or_exit():
    if not jobs.uses_queue():
        raise click.ClickException("JOB_QUEUE is inline: jobs run in the app process, there is no queue "
                                   "(set JOB_QUEUE=rq and REDIS_URL)")
    return jobs.queue()


@jobs_commands.command("worker")
@click.option("--burst", is_flag=True, help="Do what is queued, then exit (tests, a one-off run).")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of a forked one each.")
def worker_command(burst, simple):
    """Run the worker of the queue JOB_QUEUE_NAME on REDIS_URL (systemd: civiclab-worker)."""
    _queue_or_exit()
    app = current_app._get_current_object()
    jobs.work(app, burst=burst, simple=simple)


@jobs_commands.command("failed")
def failed_command():
    """List the failed jobs: id, function, end, attempts, the last line of the error."""
    from civiclab.jobs import queries

    queue = _queue_or_exit()
    shown = 0
    page = 1
    while True:
        listing = queries.failed_page(queue, page, 100)
        for job in listing.items:
            ended = job.ended_at.isoformat(timespec="seconds") if job.ended_at else "-"
            click.echo(f"{job.id}\t{job.function}\t{ended}\t{job.attempts or '-'}\t{job.error}")
            shown += 1
        if not listing.has_next:
            break
        page += 1
    click.echo(f"{shown} failed job(s)")


@jobs_commands.command("requeue")
@click.argument("job_id")
def requeue_command(job_id):
    """Put a failed job back on the queue."""
    from civiclab.core.audit import audit
    from civiclab.extensions import db
    from civiclab.jobs import queries

    queue = _queue_or_exit()
    job = queries.find_failed_job(queue, job_id)
    if job is None:
        raise click.ClickException(f"no failed job {job_id}")
    audit(None, "job.requeued", subject_type="job", subject_id=None, job_id=job.id, function=job.description or "")
    job.requeue()
    db.session.commit()
    click.echo(f"{job_id} queued again")
