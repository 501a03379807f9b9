"""Health checks for the proxy and the orchestrator: `/healthz` (this process answers) and
`/readyz` (what it needs answers: the database, Redis when REDIS_URL is set, and whatever the
domains add with `readiness_check`).

Both answer JSON that is never stored (`Cache-Control: no-store`), never a page of the page cache,
set no cookie and count against no rate limit. They answer whatever Host they are sent: a check
from the machine itself (`curl http://127.0.0.1:8001/healthz`, systemd, a load balancer) names the
process's address, not the site's, and would otherwise be refused by TRUSTED_HOSTS with a 400;
nothing in their answer is built from the host. `/healthz` touches no database. `/readyz`'s body
names each check and "ok" or "error: <kind of error>", never an address, URL or password: the
whole error goes to the log.
"""
from flask import Blueprint, current_app, jsonify

from civiclab.core.registry import Registry
from civiclab.extensions import db, limiter

bp = Blueprint("health", __name__)
HEALTH_PATHS = ("/healthz", "/readyz")

# name -> fn(): runs in the app context; raises when the service does not answer, or returns a
# short detail to show instead of "ok" (None is "ok"). The job queue adds "queue" from its connect().
READINESS = Registry("readiness checks")


def readiness_check(name, fn):
    """Add a check to /readyz (a module-level function: a second app in the process adds it again)."""
    return READINESS.add(name, fn)


def check_database():
    from sqlalchemy import text

    # On the request's session (the boundary ends its transaction): the pool's connection, as
    # every page would get it.
    db.session.execute(text("SELECT 1"))


def check_redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return None


def run_checks():
    """{name: "ok" | detail | "error: <exception class>"} and whether all answered."""
    results, ready = {}, True
    for name, fn in READINESS.items():
        try:
            detail = fn()
        except Exception as error:  # a check that fails is the answer, not a 500
            current_app.logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = f"error: {type(error).__name__}"
            ready = False
        else:
            results[name] = str(detail) if detail else "ok"
    return results, ready


def _answer(body, status):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return _answer({"status": "ok"}, 200)


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks, ready = run_checks()
    return _answer({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)


class AnyHost:
    """WSGI middleware: a health check is answered under the site's first trusted host name
    whatever Host it came with (see the module's docstring)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        hosts = self.app.config.get("TRUSTED_HOSTS")
        if hosts and environ.get("PATH_INFO") in HEALTH_PATHS:
            environ["HTTP_HOST"] = hosts[0].lstrip(".")
        return self.wsgi_app(environ, start_response)


def register_health(app):
    readiness_check("database", check_database)
    readiness_check("redis", check_redis)
    app.register_blueprint(bp)
    app.wsgi_app = AnyHost(app, app.wsgi_app)
