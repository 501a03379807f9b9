"""The API's documentation page read from its OpenAPI document: operations grouped by tag, each
with its parameters, request body and response as tables of fields ($refs resolved, nested
objects spelled out as `links.next`, `data[].id`), so the page says exactly what the document
says, for whatever operations exist."""
import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The Italian titles of the document's tags; a tag without one shows its English description.
TAG_TITLES = {
    "places": _l("Città e laboratori"),
    "projects": _l("Progetti e risultati"),
    "events": _l("Eventi e prenotazioni"),
    "codesign": _l("Co-progettazione: call, proposte, commenti"),
}
METHODS = ("get", "post", "put", "patch", "delete")
DEPTH = 4  # nested objects spelled out this deep; deeper (or recursive) ones are named only


@dataclass
class Row:
    """A field (or parameter) as the page shows it."""

    name: str
    type: str
    description: str = ""
    label_it: str = ""
    required: bool = False
    constraints: str = ""
    where: str = ""  # a parameter's place: path or query


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    needs_token: bool
    parameters: list = field(default_factory=list)
    body: list | None = None  # the request body's fields
    status: str = "200"  # the success answer
    response: list | None = None  # its fields; None: no body
    errors: list = field(default_factory=list)  # the other statuses


@dataclass
class Tag:
    name: str
    title: str
    description: str
    operations: list = field(default_factory=list)


def segments(text):
    """`text` as (piece, is_code) pairs: what the document writes between backticks is code."""
    return [(piece, index % 2 == 1) for index, piece in enumerate((text or "").split("`")) if piece]


def tags(document):
    """The document's operations grouped by tag, in the document's order."""
    components = document.get("components", {}).get("schemas", {})
    grouped = {item["name"]: Tag(item["name"], str(TAG_TITLES.get(item["name"], item["name"])),
                                 item.get("description", "")) for item in document.get("tags", [])}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                op = _operation(method, path, item[method], components)
                tag = item[method].get("tags", ["other"])[0]
                grouped.setdefault(tag, Tag(tag, tag, "")).operations.append(op)
    return [tag for tag in grouped.values() if tag.operations]


def _operation(method, path, item, components):
    success = next(status for status in item["responses"] if status.startswith("2"))
    answer = item["responses"][success].get("content", {}).get("application/json")
    body = item.get("requestBody", {}).get("content", {}).get("application/json")
    return Operation(
        method=method.upper(), path=path, anchor="op-" + re.sub(r"[^A-Za-z0-9_-]", "-", item["operationId"]),
        summary=item.get("summary", ""), description=item.get("description", ""),
        needs_token={} not in item.get("security", [{}]),
        parameters=[_parameter(parameter, components) for parameter in item.get("parameters", [])],
        body=fields(body["schema"], components) if body else None,
        status=success, response=fields(answer["schema"], components) if answer else None,
        errors=[status for status in item["responses"] if status != success and status != "304"],
    )


def _parameter(parameter, components):
    schema = parameter.get("schema", {})
    return Row(name=parameter["name"], where=parameter["in"], type=type_of(schema, components),
               description=parameter.get("description") or schema.get("description", ""),
               label_it=schema.get("x-label-it", ""), required=parameter.get("required", False),
               constraints=constraints(schema, components))


def fields(schema, components, prefix="", depth=0, seen=()):
    """The rows of an object's fields, nested objects and lists of objects spelled out after their
    field (`links`, then `links.next`)."""
    schema, name = _resolved(schema, components)
    if name in seen or depth > DEPTH:
        return []
    seen = (*seen, name) if name else seen
    rows = []
    required = set(schema.get("required", ()))
    for key, child in schema.get("properties", {}).items():
        full = f"{prefix}{key}"
        rows.append(Row(name=full, type=type_of(child, components), description=_described(child, components),
                        label_it=child.get("x-label-it", ""), required=key in required,
                        constraints=constraints(child, components)))
        inner, inner_prefix = _object_within(child, components)
        if inner is not None:
            rows += fields(inner, components, f"{full}{inner_prefix}", depth + 1, seen)
    return rows


def _resolved(schema, components):
    """(the schema a $ref names, its name), or (schema, "") when it is not a reference."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return components.get(name, {}), name
    return schema, ""


def _options(schema):
    return schema.get("anyOf") or schema.get("oneOf") or [schema]


def _object_within(schema, components):
    """The object schema a field holds (itself, in a list, or beside null), with the name suffix."""
    for option in _options(schema):
        target, _name = _resolved(option, components)
        if target.get("type") == "array" and "items" in target:
            items, _item_name = _resolved(target["items"], components)
            if "properties" in items:
                return target["items"], "[]."
        if "properties" in target:
            return option, "."
    return None, ""


def _described(schema, components):
    if schema.get("description"):
        return schema["description"]
    for option in _options(schema):
        target, _name = _resolved(option, components)
        if target.get("description") and "properties" not in target:
            return target["description"]
    return ""


def type_of(schema, components):
    """A short type: `integer`, `string (date)`, `"a" | "b"`, `array of CityOut`, `integer | null`."""
    parts = []
    for option in _options(schema):
        target, name = _resolved(option, components)
        if "enum" in target:
            parts.append(" | ".join(f'"{value}"' if isinstance(value, str) else str(value)
                                    for value in target["enum"]))
        elif "const" in target:
            parts.append(f'"{target["const"]}"' if isinstance(target["const"], str) else str(target["const"]))
        elif target.get("type") == "array":
            items, item_name = _resolved(target.get("items", {}), components)
            parts.append(_("elenco di %(items)s", items=item_name if "properties" in items
                           else type_of(target.get("items", {}), components)))
        elif target.get("type") == "object" or "properties" in target:
            if "properties" not in target and isinstance(target.get("additionalProperties"), dict):
                parts.append(_("oggetto (nome → %(values)s)",
                               values=type_of(target["additionalProperties"], components)))
            else:
                parts.append(_("oggetto %(name)s", name=name) if name else _("oggetto"))
        elif "type" in target:
            kind = target["type"]
            kind = " | ".join(kind) if isinstance(kind, list) else kind
            parts.append(f"{kind} ({target['format']})" if "format" in target else kind)
    return " | ".join(dict.fromkeys(parts)) or _("qualsiasi")


def constraints(schema, components):
    """What the schema bounds, in words: lengths, ranges, the default."""
    said = []
    for option in _options(schema):
        target, _name = _resolved(option, components)
        if "minLength" in target and "maxLength" in target:
            said.append(_("da %(min)s a %(max)s caratteri", min=target["minLength"], max=target["maxLength"]))
        elif "maxLength" in target:
            said.append(_("al massimo %(max)s caratteri", max=target["maxLength"]))
        elif "minLength" in target:
            said.append(_("almeno %(min)s caratteri", min=target["minLength"]))
        if "minimum" in target and "maximum" in target:
            said.append(_("da %(min)s a %(max)s", min=target["minimum"], max=target["maximum"]))
        elif "minimum" in target:
            said.append(_("almeno %(min)s", min=target["minimum"]))
        elif "maximum" in target:
            said.append(_("al massimo %(max)s", max=target["maximum"]))
        if "maxItems" in target:
            said.append(_("al massimo %(max)s elementi", max=target["maxItems"]))
        if "pattern" in target:
            said.append(_("forma %(pattern)s", pattern=target["pattern"]))
    if schema.get("default") is not None:
        said.append(_("predefinito: %(value)s", value=json.dumps(schema["default"], ensure_ascii=False)))
    return "; ".join(dict.fromkeys(said))
