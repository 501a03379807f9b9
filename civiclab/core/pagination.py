"""Pages of a list: the page number a list was asked for, kept within what a database offset can
take; and keyset pages for long lists, which read on from the last row shown (a cursor), so the
5,000th page costs what the first does.

A cursor is the sort key of a row at the edge of a page, signed with the app's secret: a link
can carry it but nobody can forge one, and anything that is not a cursor we made for this list
and this order (garbage, an old order, a key out of range) is the first page, never an error.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer

MAX_PAGE = 100_000
CURSOR_ARG = "cursore"
MAX_INTEGER = 2**63 - 1  # what a BIGINT holds; a key past it is no key of ours


def page_number(source=None):
    """`?page=` (or `source`'s "page"), between 1 and MAX_PAGE; anything else is page 1 or the last."""
    value = (source if source is not None else request.args).get("page", 1, type=int)
    return min(max(value or 1, 1), MAX_PAGE)


@dataclass(frozen=True, eq=False)
class Key:
    """One column (or expression) of a keyset order. `value_of(row)` reads a computed key's value
    off a loaded row; a column's is its mapped attribute of the same name."""

    expression: object
    descending: bool = False
    value_of: object = None

    def of(self, row):
        return self.value_of(row) if self.value_of else getattr(row, self.expression.key)

    def reversed(self):
        return Key(self.expression, not self.descending, self.value_of)


@dataclass
class KeysetPage:
    """What a template shows of a keyset page: its rows, and the cursors of the pages beside it."""

    items: list
    next_cursor: str | None
    prev_cursor: str | None
    total: int | None = None

    @property
    def has_next(self):
        return self.next_cursor is not None

    @property
    def has_prev(self):
        return self.prev_cursor is not None


def _serializer(list_name):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"keyset:{list_name}")


def _kind(expression):
    """How a key's values travel in a cursor: "int" or "time" (an ISO 8601 string with its zone)."""
    column_type = expression.type
    if isinstance(column_type, sa.Integer):
        return "int"
    if isinstance(getattr(column_type, "impl_instance", column_type), sa.DateTime):  # UTCDateTime too
        return "time"
    raise TypeError(f"a keyset key must be an integer or a time, not {column_type!r}")


def _dump(value, kind):
    return value.isoformat() if kind == "time" else value


def _load(value, kind):
    """A key's value read back from a cursor, or raise ValueError or TypeError."""
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INTEGER:
            raise TypeError("not a key")
        return value
    if not isinstance(value, str):
        raise TypeError("not a time")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a time without its zone")
    return moment


def encode_cursor(list_name, order_name, keys, values, backwards=False):
    kinds = [_kind(key.expression) for key in keys]
    return _serializer(list_name).dumps(
        [order_name, "p" if backwards else "n", [_dump(value, kind) for value, kind in zip(values, kinds)]])


def decode_cursor(list_name, order_name, keys, cursor):
    """(values, backwards) of a cursor made for this list in this order; None for anything else."""
    if not cursor or len(cursor) > 1000:
        return None
    try:
        order, direction, raw = _serializer(list_name).loads(cursor)
        if order != order_name or direction not in ("n", "p") or len(raw) != len(keys):
            return None
        values = [_load(value, _kind(key.expression)) for value, key in zip(raw, keys)]
    except (BadData, ValueError, TypeError):
        return None
    return values, direction == "p"


def _after(keys, values):
    """The rows that come after `values` in the order of `keys`."""
    # Integers bound as BIGINT: PostgreSQL would refuse a key past 2^31 cast to an INTEGER column's type.
    bound = [sa.literal(value, type_=sa.BigInteger() if _kind(key.expression) == "int" else key.expression.type)
             for value, key in zip(values, keys)]
    expressions = [key.expression for key in keys]
    if len({key.descending for key in keys}) == 1:  # one direction: a row-value comparison
        row, edge = sa.tuple_(*expressions), sa.tuple_(*bound)
        return row < edge if keys[0].descending else row > edge
    either = []
    for i, key in enumerate(keys):
        equal = [expressions[j] == bound[j] for j in range(i)]
        either.append(sa.and_(*equal, key.expression < bound[i] if key.descending else key.expression > bound[i]))
    return sa.or_(*either)


def keyset_page(session, query, keys, *, list_name, order_name="", per_page=20, cursor=None, total=None):
    """One page of `query` in the order of `keys` (Key, the last one unique: an id), starting
    after the row the cursor names (or, going back, ending before it); the first page without one.

    `cursor`: the request's ?cursore= by default. One SELECT of per_page + 1 rows, read through an
    index on the keys when there is one; no COUNT (pass `total` if the page shows one)."""
    cursor = request.args.get(CURSOR_ARG, "") if cursor is None else cursor
    decoded = decode_cursor(list_name, order_name, keys, cursor)
    backwards = bool(decoded and decoded[1])
    order = [key.reversed() if backwards else key for key in keys]
    ordered = query.order_by(*[key.expression.desc() if key.descending else key.expression.asc() for key in order])
    rows = session.scalars((ordered.where(_after(order, decoded[0])) if decoded else ordered)
                           .limit(per_page + 1)).unique().all()
    if decoded and not rows:  # past either end (the rows it named are gone): the first page
        return keyset_page(session, query, keys, list_name=list_name, order_name=order_name,
                           per_page=per_page, cursor="", total=total)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()

    def cursor_at(row, back):
        return encode_cursor(list_name, order_name, keys, [key.of(row) for key in keys], back)

    has_next = True if backwards else more
    has_prev = more if backwards else bool(decoded)
    return KeysetPage(
        items=rows,
        next_cursor=cursor_at(rows[-1], False) if rows and has_next else None,
        prev_cursor=cursor_at(rows[0], True) if rows and has_prev else None,
        total=total,
    )
