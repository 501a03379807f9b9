"""Reading the queue for the failed-jobs page: counts and the failed jobs, a page at a time.

Only what an administrator needs to decide (which job, when, how many attempts, the last line of
its error): never a job's arguments, which hold mail bodies and addresses."""
import re
from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination

from civiclab.core import jobs
from civiclab.core.permissions import require
from civiclab.jobs.permissions import can_see_jobs

JOB_ID = re.compile(r"[0-9a-f][0-9a-f-]{0,63}")  # RQ's ids: uuid4 hex
ERROR_MAX = 300


@dataclass(frozen=True)
class FailedJob:
    id: str
    function: str
    enqueued_at: datetime | None
    ended_at: datetime | None
    attempts: int | None
    error: str


@dataclass(frozen=True)
class Counts:
    queued: int
    started: int
    scheduled: int
    failed: int


class FailedPage(Pagination):
    """A page of the failed-job registry, read as flask-sqlalchemy pages a query (the same
    template macro shows both)."""

    def _query_items(self):
        start = (self.page - 1) * self.per_page
        return self._query_args["load"](start, start + self.per_page - 1)

    def _query_count(self):
        return self._query_args["total"]


def allowed(user):
    require(can_see_jobs(user))


def _registries(queue):
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    return (FailedJobRegistry(queue=queue), StartedJobRegistry(queue=queue), ScheduledJobRegistry(queue=queue))


def counts(queue):
    failed, started, scheduled = _registries(queue)
    return Counts(queued=queue.count, started=started.count, scheduled=scheduled.count, failed=failed.count)


# An address in an error (a mail server's refusal names its recipient): personal data the page
# does not show; the worker's log keeps the whole error.
EMAIL_ADDRESS = re.compile(r"[^@\s'\"<>(),;:]+@[^@\s'\"<>(),;:]+")


def last_line(text):
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return EMAIL_ADDRESS.sub("***@***", lines[-1] if lines else "")[:ERROR_MAX]


def _error_of(job):
    from rq.results import Result

    result = job.latest_result()
    if result is not None and result.type == Result.Type.FAILED:
        return last_line(result.exc_string)
    return ""


def describe(job):
    allowed_attempts = (job.meta or {}).get("attempts_allowed")
    attempts = None if allowed_attempts is None else allowed_attempts - (job.retries_left or 0)
    return FailedJob(id=job.id, function=job.description or job.func_name, enqueued_at=job.enqueued_at,
                     ended_at=job.ended_at, attempts=attempts, error=_error_of(job))


def failed_page(queue, page, per_page):
    from rq.job import Job

    registry = _registries(queue)[0]

    def load(start, end):
        ids = registry.get_job_ids(start, end, desc=True)
        return [describe(job) for job in Job.fetch_many(ids, connection=queue.connection) if job is not None]

    return FailedPage(page=page, per_page=per_page, error_out=False, load=load, total=registry.count)


def find_failed_job(queue, job_id):
    """The failed job `job_id` of the queue, or None when it is not (any more) among the failed."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    if not JOB_ID.fullmatch(job_id or "") or job_id not in _registries(queue)[0]:
        return None
    try:
        return Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return None


def load_failed_job(queue, job_id):
    """The failed job `job_id` of the queue; 404 when there is none."""
    from flask import abort

    job = find_failed_job(queue, job_id)
    if job is None:
        abort(404)
    return job


def the_queue():
    """The RQ queue, or None in inline mode (no queue: jobs run in the app process)."""
    return jobs.queue() if jobs.uses_queue() else None


def overview(queue, page, per_page):
    """(counts, a page of failed jobs) of `queue`; QueueUnavailable when Redis does not answer."""
    import redis

    try:
        return counts(queue), failed_page(queue, page, per_page)
    except redis.exceptions.RedisError as error:
        raise jobs.QueueUnavailable(str(error)) from error
