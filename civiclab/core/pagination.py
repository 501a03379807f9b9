"""The page number a list was asked for, kept within what a database offset can take."""
from flask import request

MAX_PAGE = 100_000


def page_number(source=None):
    """`?page=` (or `source`'s "page"), between 1 and MAX_PAGE; anything else is page 1 or the last."""
    value = (source if source is not None else request.args).get("page", 1, type=int)
    return min(max(value or 1, 1), MAX_PAGE)
