"""A list's page in the API: keyset pages (core/pagination.py) whose `next` link carries the
cursor, so the 5,000th page costs what the first does and a row added meanwhile is neither
skipped nor shown twice."""
from urllib.parse import urlencode

from flask import request

from civiclab.core.pagination import keyset_page
from civiclab.extensions import db


def api_page(select, keys, *, query, list_name, order_name=""):
    """{"data": rows, "links": {"next": address or None}} for `select` in the order of `keys`
    (Key, the last one unique), `query.limit` rows after `query.cursor`."""
    page = keyset_page(db.session, select, keys, list_name=f"api:{list_name}", order_name=order_name,
                       per_page=query.limit, cursor=query.cursor or "")
    return {"data": page.items, "links": {"next": next_link(page.next_cursor)}}


def next_link(cursor):
    """This request's address with `cursor` (a path, not an absolute URL: a forged Host header
    cannot put another site's address in it)."""
    if cursor is None:
        return None
    # The query string as sent, but the cursor: its names go in no url_for (`endpoint`, `_external`
    # or a path parameter's name would change what the link is).
    kept = [(name, value) for name, value in request.args.items(multi=True) if name != "cursor"]
    return f"{request.path}?{urlencode([*kept, ('cursor', cursor)])}"
