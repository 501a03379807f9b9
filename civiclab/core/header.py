"""The page header's data: the main menu and the signed-in person's counters (unread
notifications, unread room messages, proposals waiting for a moderator).

Domains add menu entries and counters from their `connect()`; `base.html` reads `header`
(`header.menu`, `header.count("notifications")`) and never calls a domain's function. The
counters are computed once per request, only when a page shows one (a mail rendered during a POST
costs no query), all of them in one statement: each counter is made of SQL expressions, selected
together; a counter whose figures need a second look (the rooms: unread messages count only in
rooms the person may still read) may ask its own statement, only when its figures say so.
They are read from the database on every page, never cached, so a change made by any process
shows on the next page. An error page after a broken transaction still renders, without the counts.
"""
import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g, request
from flask_login import current_user

from civiclab.core.registry import Registry
from civiclab.extensions import db

counters = Registry("header counters")  # name -> Counter (signed-in users only)
# The bound parameter a counter's SQL may name the person by: given the user's id when the
# counters run, so a counter builds its SQL once (functools.cache), not on every page.
HEADER_USER_ID = "header_user_id"
menu_entries = Registry("menu entries")  # endpoint -> MenuEntry


@dataclass(frozen=True)
class Counter:
    """A header counter. `columns(user)`: the SQL expression of its count (a scalar subquery,
    which may name the person by the bound parameter HEADER_USER_ID), or a tuple of such figures,
    or None when it is 0 for `user` without asking (a person who moderates nothing). `finish(user, *figures)`, when given, makes the count shown from the
    figures (it may ask a statement of its own, best only when a figure says it must)."""

    columns: object
    finish: object = None


def count_all(user):
    """{counter name: count} for `user`: one statement selects every counter's figures; a
    counter's `finish` may add one of its own."""
    figures = {}
    for name, counter in counters.items():
        columns = counter.columns(user)
        if columns is not None:
            figures[name] = columns if isinstance(columns, tuple) else (columns,)
    flat = tuple(column for columns in figures.values() for column in columns)
    values = iter(db.session.execute(_select(flat), {HEADER_USER_ID: user.id}).one() if flat else ())
    figures = {name: [next(values) or 0 for _ in columns] for name, columns in figures.items()}
    counts = dict.fromkeys(counters, 0)
    for name, counter in counters.items():
        if name in figures:
            counts[name] = counter.finish(user, *figures[name]) if counter.finish else figures[name][0]
    return counts


@functools.lru_cache(maxsize=64)
def _select(columns):
    """One SELECT of `columns`, kept while the same columns come back (counters built once)."""
    return sa.select(*columns)


@dataclass(frozen=True)
class MenuEntry:
    """A link of the main menu: where it goes, its label (lazy), the endpoints (or prefixes,
    ending in ".") it is current for, whether `user` sees it, and the counter shown beside it."""

    endpoint: str
    label: object
    order: int
    within: tuple = ()
    visible: object = None  # fn(user) -> bool; None: everybody
    counter: str | None = None
    personal: bool = False  # the signed-in person's own pages (shown in the mobile menu's second list)
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class MenuItem:
    entry: MenuEntry
    count: int
    exact: bool  # this very page
    within: bool  # a page of this section

    @property
    def endpoint(self):
        return self.entry.endpoint

    @property
    def label(self):
        return self.entry.label


class Header:
    def count(self, name):
        """The counter `name` for the signed-in person (0 for visitors), once per request."""
        if not current_user.is_authenticated or name not in counters:
            return 0
        if "header_counts" not in g:
            try:
                g.header_counts = count_all(current_user)
            except sa.exc.SQLAlchemyError:
                db.session.rollback()  # an error page after a broken transaction still renders
                g.header_counts = {}
        return g.header_counts.get(name, 0)

    def _items(self, personal):
        endpoint = request.endpoint or ""
        items = []
        for entry in sorted(menu_entries.values(), key=lambda e: e.order):
            if entry.personal != personal:
                continue
            if entry.visible is not None and not entry.visible(current_user):
                continue
            exact = endpoint == entry.endpoint
            within = exact or any(endpoint == p or (p.endswith(".") and endpoint.startswith(p))
                                  for p in entry.within)
            items.append(MenuItem(entry, self.count(entry.counter) if entry.counter else 0, exact, within))
        return items

    @property
    def menu(self):
        """The main menu's items `current_user` sees, in order, with the current one marked."""
        if "header_menu" not in g:
            g.header_menu = self._items(personal=False)
        return g.header_menu

    @property
    def personal_menu(self):
        if "header_personal_menu" not in g:
            g.header_personal_menu = self._items(personal=True) if current_user.is_authenticated else []
        return g.header_personal_menu


def register_header(app):
    header = Header()

    @app.context_processor
    def page_header():
        return {"header": header}
