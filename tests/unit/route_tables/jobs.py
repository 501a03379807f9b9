"""Route walk rows for the job queue's page: administrators only. The walk runs in the embedded
mode (JOB_QUEUE=inline): the page says there is no queue, and its buttons find no job (404)."""
from tests.unit.route_tables.common import admins_only

NO_SUCH_JOB = "0" * 32

ROUTES = {
    "jobs.queue": ("GET", lambda w: "/gestione/code", admins_only(200)),
    "jobs.requeue": ("POST", lambda w: f"/gestione/code/{NO_SUCH_JOB}/riprova", admins_only(404)),
    "jobs.delete": ("POST", lambda w: f"/gestione/code/{NO_SUCH_JOB}/elimina", admins_only(404)),
}
