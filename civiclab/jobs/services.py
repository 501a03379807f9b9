"""What an administrator does to a failed job: try it again, or delete it. Each leaves a trace
in the audit log (the job's id and function, never its arguments)."""
from civiclab.core.audit import audit
from civiclab.core.errors import NotAllowed
from civiclab.jobs.permissions import can_see_jobs


def _check(actor):
    if not can_see_jobs(actor):
        raise NotAllowed("not an administrator")


def requeue_job(actor, job):
    """Put the failed `job` back on its queue, to be tried once more."""
    _check(actor)
    audit(actor, "job.requeued", subject_type="job", subject_id=None, job_id=job.id,
          function=job.description or "")
    job.requeue()
    return job


def delete_job(actor, job):
    """Forget the failed `job` (its arguments too)."""
    _check(actor)
    audit(actor, "job.deleted", subject_type="job", subject_id=None, job_id=job.id,
          function=job.description or "")
    job.delete()
