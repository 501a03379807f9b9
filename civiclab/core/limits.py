"""Rate limits read from the config on each request (tests and deployments change them)."""
from flask import current_app

from civiclab.extensions import limiter


def write_limit():
    """For `limiter.limit(write_limit)`: requests that change something."""
    return current_app.config["RATELIMIT_WRITE"]


def limit_posts(key):
    """Rate limit a view's POSTs by the config value `key` (its GETs are not counted)."""
    return limiter.limit(lambda: current_app.config[key], methods=["POST"])
