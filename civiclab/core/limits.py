"""Rate limits read from the config on each request (tests and deployments change them)."""
from flask import current_app
from flask_limiter.util import get_remote_address

from civiclab.extensions import limiter


def write_limit():
    """For `limiter.limit(write_limit)`: requests that change something."""
    return current_app.config["RATELIMIT_WRITE"]


def limit_posts(key):
    """Rate limit a view's POSTs by the config value `key` (its GETs are not counted)."""
    return limiter.limit(lambda: current_app.config[key], methods=["POST"])


def _failed(response):
    return response.status_code >= 400


def limit_failed_posts(key, by=get_remote_address):
    """Rate limit a view's POSTs that fail (answered 4xx) by the config value `key`, counted per
    client address or per what `by()` names (e.g. the account a sign-in is for).

    Successes cost nothing, so many people behind one address (a school) are not held back by
    each other; once the failures reach the limit, every POST is refused until the window moves.
    """
    return limiter.limit(lambda: current_app.config[key], methods=["POST"], key_func=by, deduct_when=_failed)
