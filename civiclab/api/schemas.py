"""What the API's JSON looks like: pydantic models whose field names are English and whose
descriptions carry the Italian label the site shows (`x-label-it` in the OpenAPI document).

    class CityOut(Schema):
        slug: str = field("Identificativo", "The city's stable id in addresses.")

Output models are built from plain dicts (or objects, `from_attributes`) by the operation; input
models forbid fields they do not know, so a typo is an error, not a silent no-op.
"""
import re
from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from civiclab.core.text import TextProblem, clean_line, clean_text

MAX_ID = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1900, 2999  # the days a query may name (events/forms.py's date fields)
PER_PAGE = 20
MAX_PER_PAGE = 100


def field(label_it, description, default=..., **kwargs):
    """A field with its Italian label (as the site shows it) and an English description."""
    extra = kwargs.pop("json_schema_extra", {}) or {}
    return Field(default, description=description, json_schema_extra={"x-label-it": label_it, **extra}, **kwargs)


class Schema(BaseModel):
    """An answer's part: read from objects or dicts, written with its English names."""

    model_config = ConfigDict(from_attributes=True)


class Input(BaseModel):
    """A request body: unknown fields are an error, and types are JSON's as the document says them
    (strict: a number is not a date, "1" is not 1, 1.5 is not an integer; dates are ISO strings)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, strict=True)


class Query(BaseModel):
    """A list's query string: unknown parameters are ignored (a cache-buster does no harm)."""

    model_config = ConfigDict(extra="ignore")

    limit: int = field("Elementi per pagina", "How many items a page holds.", PER_PAGE, ge=1, le=MAX_PER_PAGE)
    cursor: str | None = field("Cursore", "Where the page starts: the `next` link of the previous page "
                               "carries it. An unknown or stale cursor gives the first page.", None, max_length=1000)


def _line(value):
    try:
        return clean_line(value)
    except TextProblem as problem:
        raise ValueError(str(problem.message)) from None


def _text(value):
    try:
        return clean_text(value)
    except TextProblem as problem:
        raise ValueError(str(problem.message)) from None


# Texts as the pages store them: a one-line text without format characters, a free text without
# bidi controls; a lone surrogate is refused with the pages' own message.
Line = Annotated[str, AfterValidator(_line)]
Text = Annotated[str, AfterValidator(_text)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _iso_day(value):
    """A day in a query string as the document says it (YYYY-MM-DD), not any number pydantic would
    read as a date (`?to=0` is not 1970-01-01)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_parsing", "not a YYYY-MM-DD date")
    if isinstance(value, str) and not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:  # as the pages' date fields
        raise PydanticCustomError("value_error", "{error}", {
            "error": _("Data fuori dall'intervallo ammesso (anni dal 1900 al 2999).")})
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]


class Links(Schema):
    next: str | None = field("Pagina successiva", "The address of the next page; null on the last one.")


T = TypeVar("T")


class Page(Schema, Generic[T]):
    """A page of a list, in a stable order; follow `links.next` for the rest."""

    data: list[T] = field("Elementi", "The items of this page.")
    links: Links = field("Collegamenti", "Where the list goes on.")


class ErrorDetail(Schema):
    code: str = field("Codice", "A stable code: bad_request, unauthorized, invalid_token, forbidden, "
                      "insufficient_scope, identity_required (the action needs a SPID/CIE identity the "
                      "account lacks), not_found, conflict, invalid, too_many_requests…")
    message: str = field("Messaggio", "What went wrong, in the language asked for with Accept-Language "
                         "(Italian by default, or English).")
    fields: dict[str, str] = field("Campi", "One message for each field that was not valid.")
    request_id: str | None = field("Codice della richiesta", "On a server error (500) only: the request's id, "
                                   "also in the X-Request-ID header; quote it to the site's support.", None)


class ErrorBody(Schema):
    error: ErrorDetail


__all__ = ["MAX_ID", "Day", "ErrorBody", "Id", "Input", "Line", "Links", "Page", "Query", "Schema", "Text", "date",
           "datetime", "field"]
