"""Addresses: links that leave the site (mails, calendars), redirect targets that must stay on it,
and links that carry the current page's query arguments on (pagination, sort order).

Every absolute link is built from the configured public address, CIVICLAB_BASE_URL, never from
the Host a request claims: a reset requested with a forged Host must not mail a link to that host.

Query arguments are data typed by whoever wrote the address; they never become url_for's keyword
arguments, where `_anchor`, `_method`, `_scheme`, `_external` are options and a route's own
parameters (`proposal_id`) would collide: `url_keeping_query` builds the path from the route's
values and appends the query string itself, passing on only names a page could have given.
"""
from contextlib import contextmanager
from urllib.parse import quote, urlencode, urlsplit

from flask import current_app, request, url_for
from werkzeug.datastructures import MultiDict


def base_url():
    """The site's public address without its trailing slash, e.g. https://civiclab.example.org."""
    return current_app.config["CIVICLAB_BASE_URL"].rstrip("/")


@contextmanager
def on_public_address(address=None):
    """Run the block as a request to the site's public address (CIVICLAB_BASE_URL, or `address` for
    this block): what url_for needs in a command or a job, and the links in their mails."""
    config = current_app.config
    configured = config["CIVICLAB_BASE_URL"]
    config["CIVICLAB_BASE_URL"] = address or configured
    try:
        with current_app.test_request_context("/", base_url=config["CIVICLAB_BASE_URL"]):
            yield
    finally:
        config["CIVICLAB_BASE_URL"] = configured


def public_host():
    """The host name of the public address (calendar UIDs, trusted hosts)."""
    return urlsplit(base_url()).hostname


def external_url(endpoint, **values):
    """The absolute address of `endpoint` on the public site, with or without a request."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme)
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def absolute_url(path):
    """A path on this site (as url_for gives it) as an address on the public site."""
    parts = urlsplit(base_url())
    prefix = parts.path.rstrip("/")
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        prefix = ""  # the path already carries the site's prefix
    return f"{parts.scheme}://{parts.netloc}{prefix}/{path.lstrip('/')}"


def safe_next(target):
    """`target` when it is a path on this site, else None: never an open redirect.

    Browsers drop tabs and line breaks and read a backslash as a slash, so "/\\t/evil.example"
    and "/\\\\evil.example" are "//evil.example" to them: anything with those characters is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _passed_on(name, values):
    """A query argument worth passing on: not one of url_for's `_options`, not a route parameter."""
    return bool(name) and not name.startswith("_") and name not in values


def url_keeping_query(endpoint, values, query=(), *, anchor=None, **changes):
    """`url_for(endpoint, **values)` followed by `query` (request.args, say) with `changes` applied
    (a None value drops that argument), then `#anchor`."""
    args = MultiDict([(name, value) for name, value in MultiDict(query).items(multi=True)
                      if _passed_on(name, values)])
    for name, value in changes.items():
        if value is None:
            args.poplist(name)
        else:
            args.setlist(name, [value])
    url = url_for(endpoint, **values)
    if args:
        url += "?" + urlencode(list(args.items(multi=True)))
    if anchor:
        url += "#" + quote(anchor, safe="%!$&'()*+,/:;=?@")
    return url


def current_url(**changes):
    """This page's address with `changes` to its query (pagination: `current_url(page=2)`)."""
    return url_keeping_query(request.endpoint, dict(request.view_args or {}), request.args, **changes)
