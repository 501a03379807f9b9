"""Filters and globals every template may use."""
from flask_babel import format_date, format_datetime, format_number, get_locale
from flask_babel import format_percent as format_percent_babel

from civiclab.core.money import format_euro
from civiclab.core.pagination import CURSOR_ARG
from civiclab.core.qr import qr_svg_data_uri
from civiclab.core.sanitize import safe_html
from civiclab.core.time import to_rome
from civiclab.core.urls import current_url, external_url


def register_template_helpers(app):
    app.jinja_env.filters["euro"] = format_euro
    app.jinja_env.filters["user_html"] = safe_html
    app.jinja_env.filters["rome"] = to_rome
    app.jinja_env.filters["qr"] = qr_svg_data_uri
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else "—"
    app.jinja_env.filters["datetime"] = (
        lambda value, fmt="medium": format_datetime(value, fmt) if value else "—"
    )

    app.jinja_env.globals["percent_text"] = format_percent
    app.jinja_env.globals["count_text"] = format_count
    app.jinja_env.globals["external_url"] = external_url  # links in mails: the public address

    @app.context_processor
    def globals_():
        return {
            # The language ("it" or "en"), not the regional locale the dates are formatted in.
            "current_locale": get_locale().language if get_locale() else "it",
            "url_for_page": _url_for_page,
            "url_for_cursor": _url_for_cursor,
        }


def format_percent(value):
    """28.6 -> '28,6 %' in Italian (the locale's own way in English)."""
    return format_percent_babel(value / 100, format="#,##0.0 %")


def format_count(value):
    """1265921 -> '1.265.921' in Italian; '—' when unknown."""
    return "—" if value is None else format_number(value)


def _url_for_cursor(cursor):
    """The current URL on the keyset page `cursor` names (core/pagination.py); no page number."""
    return current_url(**{CURSOR_ARG: cursor, "page": None})


def _url_for_page(page):
    """The current URL with ?page= changed, for pagination links."""
    return current_url(page=page)
