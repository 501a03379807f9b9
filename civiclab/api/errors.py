"""The API's errors: one JSON shape, `{"error": {"code", "message", "fields"}}`, with the message
in the reader's language (Accept-Language) and never a page or a stack trace.

- a service's DomainError is 422 on the field it names; where the operation declares `conflict`, a
  refusal naming no field is a conflict with the data's state (409); NotAllowed is 403;
- an action that needs a verified identity the account lacks ("solo con SPID/CIE") is 403 with the
  code `identity_required`: not a conflict with the data, and no token would do, only SPID or CIE;
- what does not validate (query, body) is 422 with a message per field;
- a token that is not valid is 401; a valid token without the scope an operation needs is 403;
- a unique index meeting a second copy of the same write (a request sent twice at once) is 409.
Errors outside the API's views (an unknown address under /api/, a rate limit) take the same shape
in core/errors.py.
"""
from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from civiclab.accounts.identity_rule import IdentityRequired
from civiclab.api import bp
from civiclab.api.auth import Unauthenticated
from civiclab.core.errors import DomainError, NotAllowed, api_error
from civiclab.extensions import db


class ApiError(Exception):
    """An answer other than success, raised by an operation: `status`, a message, its fields."""

    def __init__(self, status, message, code=None, fields=None):
        super().__init__(str(message))
        self.status, self.message, self.code, self.fields = status, message, code, fields or {}


def not_found():
    return ApiError(404, _l("Risorsa non trovata."))


# What a field's problem says, by pydantic's error type; {n} is the limit the schema sets.
_MESSAGES = {
    "missing": _l("Campo obbligatorio."),
    "string_too_short": _l("Troppo corto: almeno %(n)s caratteri."),
    "string_too_long": _l("Troppo lungo: al massimo %(n)s caratteri."),
    "too_short": _l("Troppo pochi elementi: almeno %(n)s."),
    "too_long": _l("Troppi elementi: al massimo %(n)s."),
    "greater_than_equal": _l("Deve essere almeno %(n)s."),
    "less_than_equal": _l("Deve essere al massimo %(n)s."),
    "greater_than": _l("Deve essere maggiore di %(n)s."),
    "less_than": _l("Deve essere minore di %(n)s."),
    "int_parsing": _l("Deve essere un numero intero."),
    "int_type": _l("Deve essere un numero intero."),
    "int_from_float": _l("Deve essere un numero intero."),
    "bool_parsing": _l("Deve essere true o false."),
    "bool_type": _l("Deve essere true o false."),
    "string_type": _l("Deve essere un testo."),
    "date_from_datetime_parsing": _l("Deve essere una data (AAAA-MM-GG)."),
    "date_parsing": _l("Deve essere una data (AAAA-MM-GG)."),
    "date_type": _l("Deve essere una data (AAAA-MM-GG)."),
    "datetime_parsing": _l("Deve essere una data e ora ISO 8601."),
    "datetime_from_date_parsing": _l("Deve essere una data e ora ISO 8601."),
    "enum": _l("Valore non ammesso: scegli fra %(expected)s."),
    "literal_error": _l("Valore non ammesso: scegli fra %(expected)s."),
    "extra_forbidden": _l("Campo non previsto."),
    "string_pattern_mismatch": _l("Formato non valido."),
    "model_type": _l("Deve essere un oggetto JSON."),
    "dict_type": _l("Deve essere un oggetto JSON."),
    "list_type": _l("Deve essere una lista."),
    "json_invalid": _l("JSON non valido."),
}
_LIMITS = ("min_length", "max_length", "ge", "le", "gt", "lt")


def field_messages(error):
    """{field path: message} for a pydantic ValidationError, one message per field."""
    fields = {}
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"]) or "body"
        context = problem.get("ctx") or {}
        limit = next((context[key] for key in _LIMITS if key in context), "")
        if problem["type"].startswith("too_") and "max_length" in context:
            limit = context["max_length"] if problem["type"] == "too_long" else context.get("min_length", limit)
        message = _MESSAGES.get(problem["type"])
        if message is None and problem["type"] == "value_error":
            message = str(context.get("error") or _("Valore non valido."))  # our validators' own message
        fields.setdefault(name, str(message or _("Valore non valido.")) % {
            "n": limit, "expected": context.get("expected", "")})
    return fields


# The blueprint's handlers, declared once on import (before the blueprint is first registered).
@bp.errorhandler(ApiError)
def api_refused(exc):
    db.session.rollback()
    return api_error(exc.status, exc.message, code=exc.code, fields=exc.fields)


@bp.errorhandler(Unauthenticated)
def unauthenticated(exc):
    db.session.rollback()
    response, status = api_error(401, exc.message, code="invalid_token")
    response.headers["WWW-Authenticate"] = 'Bearer realm="civiclab", error="invalid_token"'
    return response, status


@bp.errorhandler(ValidationError)
def invalid(exc):
    db.session.rollback()
    return api_error(422, _("Alcuni dati non sono validi."), fields=field_messages(exc))


@bp.errorhandler(NotAllowed)
def not_allowed(exc):
    db.session.rollback()
    return api_error(403, exc.message)


@bp.errorhandler(IdentityRequired)
def identity_required(exc):
    db.session.rollback()
    return api_error(403, exc.message, code="identity_required")


@bp.errorhandler(DomainError)
def refused(exc):
    db.session.rollback()
    # An operation declared `conflict`: a refusal naming no field is about the data's state (409:
    # already done, closed, full); one naming a field is about what was sent (422 on that field).
    status = 409 if g.get("api_conflict_status") == 409 and not exc.field else 422
    return api_error(status, exc.message, fields={exc.field: exc.message} if exc.field else None)


@bp.errorhandler(IntegrityError)
def duplicate(exc):
    db.session.rollback()
    return api_error(409, _("La stessa richiesta è arrivata due volte: è stata eseguita una volta sola."))
