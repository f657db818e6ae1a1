"""Query-string validation as the vendor's API does it (Fastify: a 400 naming the first bad
parameter), driven by the parameter schemas of the vendor's own document, so that every
implemented operation checks exactly what the document says, and no more."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

DOCUMENT = Path(__file__).with_name("openapi.json")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class BadQuery(ValueError):
    pass


def load_document(path: Path = DOCUMENT) -> dict[str, Any]:
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
        if "maximum" in schema and value > schema["maximum"]:
            raise BadQuery(f"{label} must be <= {schema['maximum']}")
    elif kind == "boolean":
        if text not in ("true", "false"):
            raise BadQuery(f"{label} must be boolean")
        value = text == "true"
    elif schema.get("format") == "uuid" and not UUID_RE.match(text):
        raise BadQuery(f'{label} must match format "uuid"')
    if "enum" in schema and value not in schema["enum"]:
        raise BadQuery(f"{label} must be equal to one of the allowed values")
