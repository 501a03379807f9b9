"""Jobs: the queue's failed jobs seen and handled by administrators (/gestione/code), and the
`flask --app wsgi jobs` commands (the worker, the failed list). The queue itself is core/jobs.py."""
from flask import Blueprint

bp = Blueprint("jobs", __name__)


def connect(app):
    """Wire the domain into `app`: its page, its commands and the queue's line in /readyz."""
    from civiclab.core.health import readiness_check
    from civiclab.core.jobs import queue_status
    from civiclab.jobs import routes  # noqa: F401  (routes fill bp)

    readiness_check("queue", queue_status)
    from civiclab.jobs.cli import jobs_commands

    app.register_blueprint(bp)
    app.cli.add_command(jobs_commands)
