"""Addresses: links that leave the site (mails, calendars) and redirect targets that must stay on it.

Every absolute link is built from the configured public address, CIVICLAB_BASE_URL, never from
the Host a request claims: a reset requested with a forged Host must not mail a link to that host.
"""
from urllib.parse import urlsplit

from flask import current_app


def base_url():
    """The site's public address without its trailing slash, e.g. https://civiclab.example.org."""
    return current_app.config["CIVICLAB_BASE_URL"].rstrip("/")


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
