"""The OpenAPI 3.1 document, built from the declared operations (spec.OPERATIONS) and the pydantic
models they validate with: pydantic writes each model's JSON Schema (draft 2020-12, the dialect
OpenAPI 3.1 uses as it is), this module puts them under paths and components."""
from pydantic.json_schema import models_json_schema

from civiclab.api.schemas import MAX_ID, ErrorBody

REF = "#/components/schemas/{model}"
TAGS = {
    "places": "Cities and Laboratori aperti.",
    "projects": "PON Metro projects, their financial snapshots and outcomes.",
    "events": "Events in the labs, and booking seats.",
    "codesign": "Calls, proposals, supports and comments.",
}
ERROR_TEXT = {
    400: "Bad request (a malformed query or header).",
    401: "No valid token: missing where one is needed, or not valid, revoked or expired.",
    403: "The token's person may not do this, or the token lacks the write scope (insufficient_scope), or "
         "the action needs a verified SPID/CIE identity the account lacks (identity_required).",
    404: "Not found, or not public.",
    409: "In conflict with the data's state (already done, full, closed).",
    413: "The body is larger than the server accepts (12 MiB).",
    414: "The address is longer than the server in front of the app accepts (gunicorn: 4 KiB for the "
         "request line); that server answers, in its own format, not the JSON error shape.",
    415: "The body is not JSON.",
    422: "A field is not valid, or a rule of the service refused the request; `fields` says which.",
    429: "Too many requests for this token (or address): wait and retry.",
}

FRONT_SERVER_STATUSES = {414}  # answered before the app runs: no JSON body promised


def _path_parameter(converter, name):
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if converter == "id" else {"type": "string"}
    parameter = {"name": name, "in": "path", "required": True, "schema": schema}
    if converter == "id" and name.endswith("_id"):
        parameter["description"] = f"The {name[:-3].replace('_', ' ')}'s id."
    return parameter


def _query_parameters(schema):
    required = set(schema.get("required", ()))
    parameters = []
    for name, property_schema in schema.get("properties", {}).items():
        description = property_schema.get("description", "")
        parameters.append({"name": name, "in": "query", "required": name in required,
                           "description": description, "schema": property_schema})
    return parameters


def _error_statuses(op):
    statuses = {400, 401, 414, 429, *op.errors}
    if op.path_parameters:
        statuses.add(404)
    if op.query is not None or op.body is not None:
        statuses.add(422)
    if op.body is not None:
        statuses.update({413, 415})
    if op.auth in ("read", "write"):
        statuses.update({403, 404})
    if op.conflict:
        statuses.add(409)
    return sorted(statuses)


def document(operations, *, title, version, description=""):
    """The OpenAPI 3.1 document (a dict) of `operations`."""
    wanted = [(ErrorBody, "serialization")]
    for op in operations:
        if op.response is not None:
            wanted.append((op.response, "serialization"))
        if op.body is not None:
            wanted.append((op.body, "validation"))
        if op.query is not None:
            wanted.append((op.query, "validation"))
    schemas, definitions = _schemas(wanted)
    components = definitions.get("$defs", {})
    paths = {}
    for op in operations:
        parameters = [_path_parameter(converter, name) for converter, name in op.path_parameters]
        if op.query is not None:
            parameters += _query_parameters(_resolve(schemas[(op.query, "validation")], components))
        responses = {}
        if op.response is None:
            responses[str(op.status)] = {"description": "Done."}
        else:
            responses[str(op.status)] = {"description": "Done.", "content": {
                "application/json": {"schema": schemas[(op.response, "serialization")]}}}
        if op.method == "GET":
            responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)."}
        for status in _error_statuses(op):
            responses[str(status)] = {"description": ERROR_TEXT.get(status, "Error.")}
            if status not in FRONT_SERVER_STATUSES:
                responses[str(status)]["content"] = {
                    "application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}}
        item = {
            "operationId": op.endpoint, "summary": op.summary, "description": op.description,
            "tags": [op.tag], "parameters": parameters, "responses": responses,
            "security": [{"token": []}] if op.auth in ("read", "write") else [{}, {"token": []}],
        }
        if op.body is not None:
            item["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": schemas[(op.body, "validation")]}}}
        paths.setdefault(op.path, {})[op.method.lower()] = item
    for op in operations:  # a query's model is spelled out as parameters, not kept as a schema
        if op.query is not None:
            components.pop(schemas[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1], None)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description,
                 "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}},
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {"token": {
            "type": "http", "scheme": "bearer", "bearerFormat": "clk_…",
            "description": "A personal access token, made on the profile page (scope read or write)."}}},
    }


def _schemas(wanted):
    """Each (model, mode) -> its schema (a $ref), and the definitions they share."""
    mapping, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    return mapping, definitions


def _resolve(schema, components):
    if "$ref" in schema:
        return components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema
