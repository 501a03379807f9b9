"""The API's operations, each declared once: the Flask view, what it reads (query, body) and
answers (a pydantic model), who may call it and how often. The OpenAPI 3.1 document is built from
the same declarations, so it cannot drift from what the endpoints validate.

    @operation("GET", "/cities/<slug>", tag="places", summary="One city", response=CityOut)
    def city(actor, slug):
        return load_city(slug)          # the domain's own loader: 404 / 403 in one place

- `actor` is the token's person, or an anonymous user (a visitor); cookies are never read;
- `auth="write"` needs a token with the write scope (401 without one, 403 with a read token),
  `auth="read"` any token (401 without one: a person's own data);
  every other operation is public, and a token given must still be valid (401);
- `query=` and `body=` models are validated before the view runs (422 with a message per field);
  the view gets them as `query` and `body`;
- the view returns what `response` describes (objects or dicts); it is validated and written as
  JSON; a GET answer carries an ETag and answers 304 to a matching If-None-Match;
- reads are limited by RATELIMIT_API_READ per token (per address for visitors); writes by `limit`
  (a config key, as the pages') per person, on the pages' budget when they share its scope.
"""
import functools
import re
from dataclasses import dataclass, field

from flask import abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import TypeAdapter

from civiclab.api import bp
from civiclab.api.auth import caller_token, person_or_address, token_key
from civiclab.api.errors import ApiError
from civiclab.extensions import limiter

OPERATIONS = []  # every declared operation, in declaration order (the document's order)


@dataclass
class Operation:
    method: str
    rule: str  # the Flask rule under /api/v1, e.g. "/events/<id:event_id>"
    endpoint: str
    summary: str
    tag: str
    description: str = ""
    query: type | None = None
    body: type | None = None
    response: object = None  # a model (or None for 204)
    status: int = 200
    auth: str = "public"  # "public" (a token optional), "read" (a token needed) or "write" (its write scope)
    errors: tuple = ()  # statuses the operation may answer besides the usual ones
    limit: str | None = None  # the config key of a write's rate limit
    shared_limit: str | None = None  # several operations on one budget
    conflict: bool = False  # a service's refusal is a conflict with the data's state (409), not 422
    adapter: object = field(default=None, repr=False)

    @property
    def path(self):
        """The OpenAPI path: `<id:event_id>` becomes `{event_id}`."""
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.rule)

    @property
    def path_parameters(self):
        return re.findall(r"<(?:([^:>]+):)?([^>]+)>", self.rule)


def _authorised(op):
    token = caller_token()
    if op.auth in ("read", "write"):
        if token is None:
            raise ApiError(401, _l("Questa operazione richiede un token personale (Authorization: Bearer …)."),
                           code="unauthorized")
        if op.auth == "write" and not token.allows("write"):
            raise ApiError(403, _l("Questo token può solo leggere: creane uno con il permesso di scrittura."),
                           code="insufficient_scope")
    return token


_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # an even run of backslashes, then \u0000


def holds_nul(data):
    """Whether JSON text `data` holds a NUL character (escaped: JSON allows it no other way).
    PostgreSQL text cannot hold it, so a body with one is refused as a form with one is (400)."""
    return _NUL_ESCAPE.search(data) is not None


_QUERY_FORMS = {  # what a query string's integer or boolean looks like, as the document says
    "integer": (re.compile(r"[+-]?[0-9]{1,20}"), _l("Deve essere un numero intero.")),
    "boolean": (re.compile(r"true|false"), _l("Deve essere true o false.")),
}


@functools.cache
def _query_types(model):
    """{parameter: "integer" | "boolean"} of a query model (nullable ones included)."""
    types = {}
    for name, schema in model.model_json_schema()["properties"].items():
        kinds = {option.get("type") for option in schema.get("anyOf", [schema])} - {"null"}
        if len(kinds) == 1 and (kind := kinds.pop()) in _QUERY_FORMS:
            types[name] = kind
    return types


def read_query(model):
    """The query string read into `model`. An integer is written in digits and a boolean as true or
    false, as the document says: pydantic's lax reading would take "1.0", "1_000" or "yes" too."""
    values = request.args.to_dict()
    wrong = {name: str(_QUERY_FORMS[kind][1]) for name, kind in _query_types(model).items()
             if name in values and not _QUERY_FORMS[kind][0].fullmatch(values[name])}
    if wrong:
        raise ApiError(422, _l("Alcuni dati non sono validi."), fields=wrong)
    return model.model_validate(values)


MAX_BODY = 256 * 1024  # a JSON body: a proposal's longest text is 20,000 characters


def _read_body(model):
    if not request.is_json:
        raise ApiError(415, _l("Invia il corpo della richiesta come JSON (Content-Type: application/json)."))
    # Not the site's 12 MB for attachments: a larger body is a 413, read no further than the limit.
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    data = request.get_data() or b""
    if len(data) > MAX_BODY:  # a body sent without its length (chunked)
        abort(413)
    if holds_nul(data):
        raise ApiError(400, _l("Il testo contiene caratteri non validi."))
    return model.model_validate_json(data)


def _answer(op, result):
    if op.response is None:
        return current_app.response_class(status=op.status)
    data = op.adapter.dump_json(op.adapter.validate_python(result), by_alias=True)
    response = current_app.response_class(data, status=op.status, mimetype="application/json")
    if request.method == "GET":
        response.add_etag()
        response.make_conditional(request)
    return response


def _limits(op, view):
    def amount(key):
        return lambda: current_app.config[key]

    if op.method == "GET":
        # HEAD runs the GET view in full: it counts as a read.
        return limiter.limit(amount("RATELIMIT_API_READ"), key_func=token_key, methods=["GET", "HEAD"])(view)
    key = op.limit or "RATELIMIT_WRITE"
    if op.shared_limit:
        return limiter.shared_limit(amount(key), scope=op.shared_limit, key_func=person_or_address,
                                    methods=[op.method])(view)
    return limiter.limit(amount(key), key_func=person_or_address, methods=[op.method])(view)


def operation(method, rule, *, summary, tag, **options):
    """Declare `view` as the operation `method rule` (see the module's docstring)."""
    def declare(view):
        op = Operation(method=method, rule=rule, endpoint=view.__name__, summary=summary, tag=tag,
                       description=options.pop("description", None) or (view.__doc__ or "").strip(), **options)
        op.adapter = TypeAdapter(op.response) if op.response is not None else None

        @functools.wraps(view)
        def run(**path_arguments):
            _authorised(op)
            if op.conflict:
                g.api_conflict_status = 409
            arguments = dict(path_arguments)
            if op.query is not None:
                arguments["query"] = read_query(op.query)
            if op.body is not None:
                arguments["body"] = _read_body(op.body)
            return _answer(op, view(current_user._get_current_object(), **arguments))

        bp.add_url_rule(rule, endpoint=op.endpoint, view_func=_limits(op, run), methods=[method])
        OPERATIONS.append(op)
        return view

    return declare
