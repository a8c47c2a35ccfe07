"""The OpenAPI document says what the server accepts, so that generated clients and fuzzers
(schemathesis, in the test suite) send only what will be answered.

:func:`install` adds, once, to every string a request may carry (parameters and request
bodies, not responses) the pattern of :mod:`medcite.web.inputs`' text rule, unless the
field already has a pattern, an enum or a format; free-form JSON objects (an answer JSON)
get :data:`JSON_TEXT`, any JSON whose strings and keys follow the rule. Question fields carry
:data:`QUESTION_SCHEMA` (at least one character that is not white space).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

# Lone surrogates are refused too, but are not characters a JSON Schema regex may name (its
# validators reject such a pattern); a schema-valid JSON string holds none anyway.
_REFUSED = r"\u0000-\u0008\u000B\u000C\u000E-\u001F"
TEXT_PATTERN = rf"^[^{_REFUSED}]*$"
QUESTION_SCHEMA: dict[str, Any] = {
    "minLength": 1,
    # One character that is neither refused nor white space, as Python's str.split() sees it
    # (which also splits at U+0085, unlike a JSON Schema regex's \s).
    "pattern": rf"^[^{_REFUSED}]*[^\s\u0085{_REFUSED}][^{_REFUSED}]*$",
}
_SPECIFIC = ("pattern", "enum", "const", "format")
_JSON_TEXT_REF = "#/components/schemas/JsonText"
JSON_TEXT: dict[str, Any] = {
    "description": "Any JSON value whose strings (and object keys) are text (see TEXT_PATTERN).",
    "anyOf": [
        {"type": "null"},
        {"type": "boolean"},
        {"type": "number"},
        {"type": "string", "pattern": TEXT_PATTERN},
        {"type": "array", "items": {"$ref": _JSON_TEXT_REF}},
        {
            "type": "object",
            "propertyNames": {"pattern": TEXT_PATTERN},
            "additionalProperties": {"$ref": _JSON_TEXT_REF},
        },
    ],
}


def required_one_of(schema: dict[str, Any], names: tuple[str, ...], *, exactly: bool) -> None:
    """A model's JSON schema: one of ``names`` (``exactly`` one, else at least one) must be
    given, and not as null (pydantic says ``T | None`` for an optional field)."""
    properties = schema["properties"]
    for name in names:
        field = properties[name]
        branches = [b for b in field.pop("anyOf", []) if b.get("type") != "null"]
        properties[name] = {**(branches[0] if branches else {}), **field}
    schema["oneOf" if exactly else "anyOf"] = [{"required": [name]} for name in names]


def install(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so that its document carries the text rule (computed once)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            with_text_rule(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_text_rule(document: dict[str, Any]) -> None:
    """Give every request string of ``document`` the text pattern (see the module)."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components["JsonText"] = JSON_TEXT
    seen: set[str] = {"JsonText"}
    for path in document.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                _patch(parameter.get("schema", {}), components, seen)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _patch(media.get("schema", {}), components, seen)


def _patch(schema: Any, components: dict[str, Any], seen: set[str]) -> None:
    if isinstance(schema, list):
        for item in schema:
            _patch(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _patch(components.get(name), components, seen)
        return
    if schema.get("type") == "string" and not any(key in schema for key in _SPECIFIC):
        schema["pattern"] = TEXT_PATTERN
    free = schema.get("additionalProperties", "properties" not in schema)
    if schema.get("type") == "object" and free is True:  # any members, of any JSON
        schema["additionalProperties"] = {"$ref": _JSON_TEXT_REF}
        schema["propertyNames"] = {"pattern": TEXT_PATTERN}
    for key in ("properties", "patternProperties"):
        for child in schema.get(key, {}).values():
            _patch(child, components, seen)
    for key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf", "not"):
        if key in schema:
            _patch(schema[key], components, seen)
