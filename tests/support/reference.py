"""A vendor's reference document read as the set of fields it names: what a sandbox may send and
what a source may read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dlt.common.normalizers.naming.snake_case import NamingConvention

SNAKE = NamingConvention()


def resolve(document: dict[str, Any], schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _alternatives(document: dict[str, Any], schema: Any) -> list[dict[str, Any]]:
    """The object schemas a value may be, through allOf, anyOf and oneOf."""
    schema = resolve(document, schema)
    if not isinstance(schema, dict):
        return []
    found = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key) or []:
            found += _alternatives(document, part)
    return found


def undocumented(
    document: dict[str, Any],
    schema: Any,
    value: Any,
    where: str = "",
    open_fields: frozenset[str] = frozenset(),
) -> list[str]:
    """Every field of `value` that `schema` (at any depth) does not name. An object whose
    schema names no properties at all (a free-form map), or a field in `open_fields` (one the
    document says may hold any key), is not walked."""
    options = _alternatives(document, schema)
    if isinstance(value, dict):
        named: dict[str, list[Any]] = {}  # a field -> its schema in each alternative naming it
        for option in options:
            for key, field in (option.get("properties") or {}).items():
                named.setdefault(key, []).append(field)
        if not named:
            return []
        out = [f"{where}.{k}" for k in value if k not in named]
        return out + [e for k, v in value.items() if k in named and k not in open_fields
                      for e in undocumented(document, {"anyOf": named[k]}, v, f"{where}.{k}",
                                            open_fields)]  # fmt: skip
    if isinstance(value, list):
        items = [o["items"] for o in options if "items" in o]
        if not items:
            return []
        return [e for k, v in enumerate(value)
                for e in undocumented(document, {"anyOf": items}, v, f"{where}[{k}]",
                                      open_fields)]  # fmt: skip
    return []


def field_names(document: dict[str, Any]) -> set[str]:
    """Every property name anywhere in the document's schemas, as it is and snake-cased as a
    source's column would be (`eventTime` -> `event_time`), and each nested one joined to its
    parents' names as a flattened column is (`owner.id` -> `owner_id`)."""
    names: set[str] = set()
    seen: set[tuple[str, str]] = set()

    def walk(node: Any, prefix: str) -> None:
        node = resolve(document, node)
        if isinstance(node, list):
            for item in node:
                walk(item, prefix)
        if not isinstance(node, dict):
            return
        for key, value in (node.get("properties") or {}).items():
            snake = SNAKE.normalize_identifier(key)
            joined = f"{prefix}_{snake}" if prefix else snake
            names.update({key, snake, joined})
            if (joined, str(id(value))) not in seen and joined.count("_") < 12:
                seen.add((joined, str(id(value))))
                walk(value, joined)
        for key, value in node.items():
            if key in ("allOf", "anyOf", "oneOf", "items"):
                walk(value, prefix)

    for schema in document.get("components", {}).get("schemas", {}).values():
        walk(schema, "")
    for schema in response_schemas(document):
        walk(schema, "")
    return names


def response_schemas(document: dict[str, Any]) -> Iterator[Any]:
    """The schema of every response body of every operation of the document."""
    for path in document.get("paths", {}).values():
        operations = [o for o in path.values() if isinstance(o, dict)]
        for operation in operations:
            for response in (operation.get("responses") or {}).values():
                for content in (response.get("content") or {}).values():
                    yield content.get("schema")
