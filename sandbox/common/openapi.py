"""Requests checked against an OpenAPI document, as an API validating its input does: query and
path parameters by the operation's own schemas (the first refused one named Fastify's way:
`querystring/limit must be <= 100`), JSON bodies by its request schema (ajv's wording). Every
implemented operation checks exactly what the document says, and no more."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import orjson

MAX_SAFE_INTEGER = 2**53 - 1
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class BadQuery(ValueError):
    pass


# The draft's formats, and `uri` as ajv-formats (the vendors' Fastify) checks it: ASCII, with a
# scheme (jsonschema checks it only with an optional package installed)
FORMATS = jsonschema.FormatChecker()
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//[\x21-\x7e]+|[\x21-\x7e]+)$")


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(URI_RE.match(value))


def _date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def load_document(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads(path.read_bytes())
    return document


def parameters(document: Mapping[str, Any], path: str, method: str) -> dict[str, dict]:
    """`in: query` and `in: path` parameter schemas of one operation, by name."""
    operation = document["paths"][path][method]
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] in ("query", "path")}


def methods(document: Mapping[str, Any], path: str) -> list[str]:
    """The HTTP methods the vendor documents for a path (what an `Allow` header lists)."""
    verbs = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    return [m.upper() for m in document["paths"][path] if m in verbs]


def check(specs: Mapping[str, dict], values: Mapping[str, str]) -> None:
    """Raise BadQuery, Fastify's way, for the first value its schema refuses."""
    for name, spec in specs.items():
        where = "params" if spec["in"] == "path" else "querystring"
        if name not in values:
            if spec.get("required"):
                raise BadQuery(f"{where} must have required property '{name}'")
            continue
        _value(f"{where}/{name}", spec["schema"], values[name])


def refuse(refused: frozenset[str], values: Mapping[str, str]) -> None:
    """Raise BadQuery for a documented parameter this sandbox does not implement: a 400 that
    names it, never a silent answer as if it had been honoured."""
    unsupported = sorted(refused & set(values))
    if unsupported:
        raise BadQuery(f"querystring/{unsupported[0]} is not supported by this sandbox")


def _value(label: str, schema: Mapping[str, Any], text: str) -> None:
    kind = schema.get("type")
    value: Any = text
    if kind in ("integer", "number"):
        try:
            value = int(text) if kind == "integer" else float(text)
        except ValueError:
            raise BadQuery(f"{label} must be {kind}") from None
        if "minimum" in schema and value < schema["minimum"]:
            raise BadQuery(f"{label} must be >= {schema['minimum']}")
        # the document's bound, else a JavaScript API's own (Number.MAX_SAFE_INTEGER)
        maximum = schema.get("maximum", MAX_SAFE_INTEGER)
        if value > maximum:
            raise BadQuery(f"{label} must be <= {maximum}")
    elif kind == "boolean":
        if text not in ("true", "false"):
            raise BadQuery(f"{label} must be boolean")
        value = text == "true"
    elif schema.get("format") == "uuid" and not UUID_RE.match(text):
        raise BadQuery(f'{label} must match format "uuid"')
    elif schema.get("format") == "date" and not _date(text):
        raise BadQuery(f'{label} must match format "date"')
    if "enum" in schema and value not in schema["enum"]:
        raise BadQuery(f"{label} must be equal to one of the allowed values")


def body_schema(document: Mapping[str, Any], path: str, method: str) -> dict[str, Any] | None:
    """The JSON request body schema of one operation, when it has one."""
    body = document["paths"][path][method].get("requestBody")
    if body is None:
        return None
    schema: dict[str, Any] = body["content"]["application/json"]["schema"]
    return schema


def check_body(schema: Mapping[str, Any], body: Any) -> None:
    """Raise BadQuery, Fastify's (ajv's) way, for the most relevant error of a JSON body."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is None:
        return
    label = "/".join(["body", *(str(p) for p in error.absolute_path)])
    rule, expected = error.validator, error.validator_value
    if rule == "required":
        missing = next(p for p in expected if p not in error.instance)
        raise BadQuery(f"{label} must have required property '{missing}'")
    if rule == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        raise BadQuery(f"{label} must be {','.join(str(k) for k in kinds)}")
    messages = {
        "maximum": f"must be <= {expected}",
        "minimum": f"must be >= {expected}",
        "enum": "must be equal to one of the allowed values",
        "format": f'must match format "{expected}"',
        "additionalProperties": "must NOT have additional properties",
    }
    raise BadQuery(f"{label} {messages.get(str(rule), error.message)}")
