"""The job queue: work that leaves the page request (mail, digests, reminders).

Two ways, chosen by JOB_QUEUE (config.py):

- "inline", the embedded default: a job runs in this process once the transaction commits, in a
  background thread (core/mail.py's sender), as CivicLab always did; no extra service.
- "rq", production with REDIS_URL: the job goes to the RQ queue JOB_QUEUE_NAME ("civiclab") on
  Redis once the transaction commits, and a worker process (`flask --app wsgi jobs worker`) runs
  it. A job that raises is retried (JOB_RETRY_INTERVALS: after 10 s, 1 min, 5 min), then kept in
  RQ's failed-job registry, which administrators see on /gestione/code.

Either way a rollback enqueues nothing. A job is a module-level function given plain values (ids,
strings, bytes), never rows of the request's session: it runs later, elsewhere, inside an app
context of its own (`run`) and reads what it needs there. Its name goes to Redis as the job's
description; its arguments (a mail's body, say) are shown nowhere.
"""
import functools
import os

from flask import current_app, has_app_context, has_request_context
from werkzeug.utils import import_string

from civiclab.core.after_commit import CommitQueue

MODES = ("inline", "rq")


class QueueUnavailable(ConnectionError):
    """The job queue (Redis) does not answer. An OSError, as a mail server that does not answer
    is: who sends mail from a command and logs a refused connection logs this one too."""


def uses_queue(app=None):
    """True when jobs go to RQ (JOB_QUEUE=rq), False when they run in this process."""
    return (app or current_app).config.get("JOB_QUEUE") == "rq"


def enqueue(func, *args, **kwargs):
    """Run `func(*args, **kwargs)` after the current transaction commits: on the RQ queue with
    JOB_QUEUE=rq, else in this process's background sender (core.mail.send_later).

    Inside a request (or a command run as one) the job waits for the commit and a rollback drops
    it; elsewhere (a worker's job, a plain command) it is queued at once.
    """
    if not uses_queue():
        from civiclab.core.mail import send_later  # inline: the sender mail always had

        return send_later(func, *args, **kwargs)
    call = (function_path(func), args, kwargs)
    if has_request_context():
        _waiting.add(call)
    else:
        push([call])
    return None


def function_path(func):
    """"package.module.function" of a module-level function (what the worker imports)."""
    path = f"{func.__module__}.{func.__qualname__}"
    if "." in func.__qualname__ or func.__module__ == "__main__":
        raise ValueError(f"a job must be a module-level function, not {path}")
    return path


def run(func_path, args, kwargs):
    """What the worker runs for every job: `func_path(*args, **kwargs)` inside an app context of
    its own (the worker's app), so each job has a fresh database session, removed after it."""
    if not has_app_context():
        raise RuntimeError("CivicLab jobs run in `flask --app wsgi jobs worker` (it gives them the app)")
    func = import_string(func_path)
    app = current_app._get_current_object()
    with app.app_context():
        return func(*args, **kwargs)


# ---- RQ ----------------------------------------------------------------------------------

def connection(app=None):
    """This process's Redis connection for the queue (REDIS_URL), made once."""
    app = app or current_app._get_current_object()
    state = app.extensions.setdefault("civiclab_jobs", {})
    if state.get("pid") != os.getpid():  # a forked process opens its own sockets
        import redis

        state["redis"] = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10)
        state["pid"] = os.getpid()
    return state["redis"]


def queue(app=None, redis_connection=None):
    from rq import Queue

    app = app or current_app._get_current_object()
    return Queue(app.config["JOB_QUEUE_NAME"], connection=redis_connection or connection(app),
                 default_timeout=app.config["JOB_TIMEOUT"])


def retry_policy(app=None):
    from rq import Retry

    intervals = list((app or current_app).config["JOB_RETRY_INTERVALS"])
    return Retry(max=len(intervals), interval=intervals) if intervals else None


def push(calls):
    """Put `calls` ((function path, args, kwargs) triples) on the queue now; QueueUnavailable
    when Redis does not answer."""
    import redis

    app = current_app._get_current_object()
    try:
        _push(app, calls)
    except redis.exceptions.RedisError as error:
        raise QueueUnavailable(f"the job queue does not answer: {error}") from error


def _push(app, calls):
    jobs_queue = queue(app)
    retry = retry_policy(app)
    for func_path, args, kwargs in calls:
        jobs_queue.enqueue(
            run, func_path, args, kwargs,
            description=func_path,  # what the failed-jobs page shows: never the arguments
            retry=retry, job_timeout=app.config["JOB_TIMEOUT"], result_ttl=app.config["JOB_RESULT_TTL"],
            failure_ttl=app.config["JOB_FAILURE_TTL"],
            meta={"attempts_allowed": 1 + (retry.max if retry else 0)},
        )


def _push_after_commit(calls):
    try:
        push(calls)
    except Exception:  # the change is committed: say loudly what was not queued, answer the request
        current_app.logger.exception("jobs not queued: %s", ", ".join(path for path, _args, _kwargs in calls))


# Jobs of the current transaction waiting for its commit: (function path, args, kwargs).
_waiting = CommitQueue("civiclab_jobs", _push_after_commit)


def connect_jobs_after_commit():
    _waiting.connect()


def queue_status(app=None):
    """A short line about the queue for /readyz: "inline" or "rq: 3 queued, 0 failed".
    Raises QueueUnavailable when JOB_QUEUE=rq and Redis does not answer."""
    app = app or current_app._get_current_object()
    if not uses_queue(app):
        return "inline"
    import redis
    from rq.registry import FailedJobRegistry

    try:
        jobs_queue = queue(app)
        jobs_queue.connection.ping()
        return f"rq: {jobs_queue.count} queued, {FailedJobRegistry(queue=jobs_queue).count} failed"
    except redis.exceptions.RedisError as error:
        raise QueueUnavailable(f"the job queue does not answer: {error}") from error


@functools.cache
def worker_class(simple=False):
    """The RQ worker that gives every job the app: forking (a job that hangs is killed after
    JOB_TIMEOUT, one that crashes takes only its own process) or, `simple`, in this process."""
    from rq import SimpleWorker, Worker

    from civiclab.extensions import db

    class AppWorker(Worker):
        def main_work_horse(self, job, job_queue):
            # In the forked child: the parent's pooled connections stay the parent's.
            db.engine.dispose(close=False)
            return super().main_work_horse(job, job_queue)

    return SimpleWorker if simple else AppWorker


def work(app, *, burst=False, simple=False, logging_level="INFO"):
    """Run a worker on the app's queue until stopped (or, `burst`, until the queue is empty);
    the caller has pushed `app`'s context. True when a job was done."""
    import redis

    # The worker blocks on Redis while it waits for jobs: no socket timeout on its connection.
    worker_connection = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
    jobs_queue = queue(app, redis_connection=worker_connection)
    worker = worker_class(simple)([jobs_queue], connection=worker_connection)
    # The scheduler moves retries whose interval has passed back to the queue.
    return worker.work(burst=burst, with_scheduler=True, logging_level=logging_level)
