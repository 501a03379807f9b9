"""Links that carry the current page's query arguments on (pagination, sort order).

Query arguments are data typed by whoever wrote the address; they never become url_for's keyword
arguments, where `_anchor`, `_method`, `_scheme`, `_external` are options and a route's own
parameters (`proposal_id`) would collide: `url_keeping_query` builds the path from the route's
values and appends the query string itself, passing on only names a page could have given.
"""
from urllib.parse import quote, urlencode

from flask import request, url_for
from werkzeug.datastructures import MultiDict


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
