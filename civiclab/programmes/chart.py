"""Money charts drawn on the server as SVG: a project's four amounts over time, and a city plan's
budget by axis against what its projects programmed, committed and paid.

No script and no style attribute (the CSP allows neither): colours, dashes and markers are SVG
presentation attributes. Each series differs by colour AND by dash and marker, so the chart reads
without colours too. Every chart has role="img", a <title> and a <desc>; the page puts the same
figures in a table beside it (the chart is never the only way to read them).
"""
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from civiclab.core.money import format_euro


@dataclass(frozen=True)
class Series:
    field: str  # the attribute holding the cents
    colour: str
    dash: str  # stroke-dasharray, "" for a solid line
    marker: str  # circle, square, triangle, diamond

    @property
    def label(self):
        return series_labels()[self.field]


def series_labels():
    return {
        "budget_cents": _("Dotazione dell'asse"),
        "programmato_cents": _("Programmato"),
        "ammesso_cents": _("Ammesso a finanziamento"),
        "vincolante_cents": _("Giuridicamente vincolante"),
        "erogato_cents": _("Erogato"),
    }


# Bootstrap Italia's colours, each at least 3:1 against white.
AMOUNT_SERIES = (
    Series("programmato_cents", "#0066cc", "", "circle"),
    Series("ammesso_cents", "#5c6f82", "8 4", "square"),
    Series("vincolante_cents", "#008055", "3 3", "triangle"),
    Series("erogato_cents", "#cc334d", "12 4 3 4", "diamond"),
)
BUDGET_SERIES = (
    Series("budget_cents", "#17324d", "", "square"),
    Series("programmato_cents", "#0066cc", "", "square"),
    Series("vincolante_cents", "#008055", "", "square"),
    Series("erogato_cents", "#cc334d", "", "square"),
)
INK = "#1a1a1a"
GRID = "#c5c7c9"


def _attrs(attrs):
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        parts.append(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"')
    return "".join(parts)


def el(tag, text=None, **attrs):
    """<tag attrs>text</tag>, text escaped (Markup children kept as they are)."""
    body = "" if text is None else escape(text)
    return Markup(f"<{tag}{_attrs(attrs)}>{body}</{tag}>")


def _marker(kind, x, y, colour, size=5):
    if kind == "circle":
        return el("circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r=size, fill=colour)
    if kind == "square":
        return el("rect", x=f"{x - size:.1f}", y=f"{y - size:.1f}", width=2 * size, height=2 * size, fill=colour)
    if kind == "triangle":
        points = f"{x:.1f},{y - size - 1:.1f} {x - size - 1:.1f},{y + size:.1f} {x + size + 1:.1f},{y + size:.1f}"
        return el("polygon", points=points, fill=colour)
    points = f"{x:.1f},{y - size - 1:.1f} {x + size + 1:.1f},{y:.1f} {x:.1f},{y + size + 1:.1f} {x - size - 1:.1f},{y:.1f}"
    return el("polygon", points=points, fill=colour)


def _nice_top(value):
    """The axis' top: `value` rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 100  # one euro
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return int(step * power)
    return 10 * power


def _svg(chart_id, width, height, title, desc, children):
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cl-chart w-100 h-auto" role="img" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
    ) + el("title", title, id=f"{chart_id}-title") + el("desc", desc, id=f"{chart_id}-desc") \
        + Markup("").join(children) + Markup("</svg>")


def _legend(series, y, x=0, step=None):
    items = []
    step = step or 165
    for index, one in enumerate(series):
        left = x + index * step
        items.append(el("line", x1=left, y1=y, x2=left + 28, y2=y, stroke=one.colour, stroke_width=3,
                        stroke_dasharray=one.dash or None))
        items.append(_marker(one.marker, left + 14, y, one.colour, 4))
        items.append(el("text", one.label, x=left + 34, y=y + 5, font_size=13, fill=INK))
    return items


# ---- a project's amounts over time ----------------------------------------------------------

def history_chart(snapshots, chart_id, title):
    """Steps of the four amounts of `snapshots` (oldest first, at least two) over their dates:
    each amount holds until the next snapshot. None when there are fewer than two dates to draw."""
    points = sorted(snapshots, key=lambda s: (s.as_of, s.id or 0))
    days = sorted({s.as_of for s in points})
    if len(days) < 2:
        return None
    width, height = 720, 400
    left, right, top, bottom = 110, 50, 80, 320
    first, last = days[0], days[-1]
    span = (last - first).days or 1
    top_value = _nice_top(max(max(getattr(s, one.field) for one in AMOUNT_SERIES) for s in points))

    def x_of(day):
        return left + (width - left - right) * (day - first).days / span

    def y_of(cents):
        return bottom - (bottom - top) * cents / top_value

    children = _legend(AMOUNT_SERIES[:2], 16, step=240) + _legend(AMOUNT_SERIES[2:], 38, step=240)
    for tick in range(5):  # the amounts' axis: 0, ¼, ½, ¾ and the top
        cents = top_value * tick // 4
        y = y_of(cents)
        children.append(el("line", x1=left, y1=f"{y:.1f}", x2=width - right, y2=f"{y:.1f}", stroke=GRID,
                           stroke_width=1))
        children.append(el("text", format_euro(cents, with_cents=False), x=left - 8, y=f"{y + 4:.1f}",
                           font_size=12, fill=INK, text_anchor="end"))
    for day in days:  # the dates' axis: every snapshot's day (labels thinned when crowded)
        x = x_of(day)
        children.append(el("line", x1=f"{x:.1f}", y1=bottom, x2=f"{x:.1f}", y2=bottom + 6, stroke=INK))
    shown = days if len(days) <= 6 else [days[round(i * (len(days) - 1) / 5)] for i in range(6)]
    for day in shown:
        children.append(el("text", format_date(day, "dd/MM/yyyy"), x=f"{x_of(day):.1f}", y=bottom + 22,
                           font_size=12, fill=INK, text_anchor="middle"))
    children.append(el("line", x1=left, y1=bottom, x2=width - right, y2=bottom, stroke=INK, stroke_width=1))
    children.append(el("line", x1=left, y1=top, x2=left, y2=bottom, stroke=INK, stroke_width=1))
    children.append(el("text", _("Data della rilevazione"), x=(left + width - right) // 2, y=height - 24,
                       font_size=13, fill=INK, text_anchor="middle"))
    children.append(el("text", _("Euro"), x=left, y=top - 14, font_size=13, fill=INK, text_anchor="middle"))
    for one in AMOUNT_SERIES:
        path, previous = [], None
        for snapshot in points:
            x, y = x_of(snapshot.as_of), y_of(getattr(snapshot, one.field))
            if previous is None:
                path.append(f"M{x:.1f},{y:.1f}")
            else:
                path.append(f"H{x:.1f} V{y:.1f}")
            previous = (x, y)
        children.append(el("path", d=" ".join(path), fill="none", stroke=one.colour, stroke_width=2.5,
                           stroke_dasharray=one.dash or None))
        for snapshot in points:
            children.append(_marker(one.marker, x_of(snapshot.as_of), y_of(getattr(snapshot, one.field)),
                                    one.colour))
    latest = points[-1]
    desc = _("Andamento degli importi dal %(first)s al %(last)s, %(count)s rilevazioni. All'ultima: "
             "programmato %(programmato)s, giuridicamente vincolante %(vincolante)s, erogato %(erogato)s. "
             "Gli stessi dati sono nella tabella accanto.",
             first=format_date(first, "dd/MM/yyyy"), last=format_date(last, "dd/MM/yyyy"), count=len(points),
             programmato=format_euro(latest.programmato_cents), vincolante=format_euro(latest.vincolante_cents),
             erogato=format_euro(latest.erogato_cents))
    return _svg(chart_id, width, height, title, desc, children)


# ---- a plan's budget by axis ----------------------------------------------------------------

def budget_chart(rows, chart_id, title, desc):
    """Horizontal bars, one group per row of `rows` (objects with label, budget_cents,
    programmato_cents, vincolante_cents, erogato_cents and is_reserve): the axis' budget, then what
    the projects of that axis programmed, committed and paid. The reserve has its budget only."""
    width, bar_space, label_height, bar_height, gap = 720, 440, 22, 13, 16
    largest = max([max(getattr(row, one.field) or 0 for one in BUDGET_SERIES) for row in rows] + [1])
    children = _legend(BUDGET_SERIES[:2], 14, step=230) + _legend(BUDGET_SERIES[2:], 36, step=230)
    y = 58
    for row in rows:
        children.append(el("text", row.label, x=0, y=y + 15, font_size=14, fill=INK, font_weight="bold"))
        y += label_height
        for one in BUDGET_SERIES:
            cents = getattr(row, one.field)
            if cents is None:  # the reserve: no projects
                continue
            bar = round(bar_space * max(cents, 0) / largest)
            children.append(el("rect", x=0, y=y, width=bar, height=bar_height, fill=one.colour))
            text = f"{one.label}: {format_euro(cents, with_cents=False)}"
            children.append(el("text", text, x=bar + 6, y=y + bar_height - 2, font_size=12, fill=INK))
            y += bar_height + 3
        y += gap
    return _svg(chart_id, width, y, title, desc, children)
