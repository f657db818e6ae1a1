"""Hypothesis strategies for the values a vendor's JSON schemas allow: every optional field absent
or present, every nullable one null, every enum value (and, where the schema leaves it open, one
the document never listed), any unicode, and fields the document does not name.

hypothesis-jsonschema would be the library for this, but its last release (0.23.1, 2024) fails
on the locked hypothesis ("'many' object has no attribute 'more'") and cannot resolve recursive
references, which the vendors' schemas have; this covers the JSON Schema the references use
(OpenAPI 3.0's `nullable` and 3.1's type lists, refs, allOf/anyOf/oneOf, enums, formats)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MAX_DEPTH = 6
TEXT = st.text(max_size=12)
INT = st.integers(-(2**70), 2**70)  # JSON allows any size: beyond 64 bits too
# fields a vendor adds later: camelCase names no documented field has, of any JSON kind
NEW_NAMES = st.text("abcdefghijklmnopqrstuvwxyzéü", min_size=1, max_size=6).map(
    lambda name: "added" + name.title()
)
NEW_VALUES = st.recursive(st.none() | st.booleans() | INT | st.floats(allow_nan=False)
                          | TEXT, lambda inner: st.lists(inner, max_size=2)
                          | st.dictionaries(TEXT, inner, max_size=2), max_leaves=4)  # fmt: skip
EXTRA = st.dictionaries(NEW_NAMES, NEW_VALUES, max_size=2)
FORMATS = {
    "date-time": st.datetimes(timezones=st.just(__import__("datetime").UTC)).map(
        lambda t: t.isoformat().replace("+00:00", "Z")
    ),
    "date": st.dates().map(str),
    "uuid": st.uuids().map(str),
    "email": st.emails(),
    "uri": st.just("https://example.com/a"),
}


SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
# the property tests' budget: repeatable runs, no deadline (a first example imports pyarrow)
SHAPE_CHECKS = settings(max_examples=60, deadline=None, derandomize=True,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip


class Generator:
    """Values of one document's schemas (`#/components/...` refs resolved in `document`)."""

    def __init__(self, document: dict[str, Any], extra_fields: bool = True) -> None:
        self.document = document
        self.extra_fields = extra_fields

    @classmethod
    def of_vendor(cls, vendor: str, extra_fields: bool = True) -> Generator:
        """For the document a vendor's sandbox serves (the vendor's own, or Sequenzy's SDK's)."""
        document = orjson.loads((SANDBOX / vendor / "openapi.json").read_bytes())
        return cls(document, extra_fields)

    def schema(self, name: str) -> st.SearchStrategy[Any]:
        """Values of the component schema `name`."""
        return self.values({"$ref": f"#/components/schemas/{name}"})

    def resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            node: Any = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema

    def values(self, schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
        schema = self.resolve(schema)
        if schema is True or not isinstance(schema, dict) or not schema:
            return st.none() | st.integers() | TEXT | st.booleans()
        nullable = schema.get("nullable") is True
        for key in ("anyOf", "oneOf"):
            if key in schema:
                rest = {k: v for k, v in schema.items() if k != key}
                alternatives = [self.resolve(o) for o in schema[key]]
                if any("enum" in o for o in alternatives if isinstance(o, dict)):
                    # an open enum (the SDK's `Literal[...] | Any`): a value no one listed yet
                    alternatives = [o or {"type": "string"} for o in alternatives]
                options = [self.values({**rest, **o}, depth) for o in alternatives]
                return st.one_of(options) | (st.none() if nullable else st.nothing())
        if "allOf" in schema:
            return self.values(self.merged(schema), depth)
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"]) | (st.none() if nullable else st.nothing())
        kinds = schema.get("type") or ("object" if "properties" in schema else None)
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or ["string", "integer"])
        if nullable and "null" not in kinds:
            kinds.append("null")
        return st.one_of([self._kind(k, schema, depth) for k in kinds])

    def merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A schema with its `allOf` parts (and theirs) folded in: properties and required
        fields together, any other keyword from the first that says it."""
        out: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema.get("allOf") or []:
            part = self.merged(self.resolve(part))
            for key, value in part.items():
                if key == "properties":
                    out["properties"] = {**value, **out.get("properties", {})}
                elif key == "required":
                    out["required"] = [*out.get("required", []), *value]
                else:
                    out.setdefault(key, value)
        return out

    def _kind(self, kind: str, schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            return st.integers(min_value=int(schema.get("minimum", -(2**31))),
                               max_value=int(schema.get("maximum", 2**31)))  # fmt: skip
        if kind == "number":
            return st.integers(-1000, 10**6) | st.floats(-1e6, 1e6, allow_nan=False)
        if kind == "string":
            return FORMATS.get(schema.get("format", ""), TEXT)
        if kind == "array":
            if depth >= MAX_DEPTH:
                return st.just([])
            return st.lists(self.values(schema.get("items", {}), depth + 1), max_size=3)
        if kind == "object":
            return self._object(schema, depth)
        return st.nothing()

    def _object(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        if not properties:
            return st.dictionaries(TEXT, st.none() | st.integers() | TEXT, max_size=3)
        if depth >= MAX_DEPTH:  # deep enough: only what must be there
            properties = {k: v for k, v in properties.items() if k in required}
        fixed = {k: self.values(v, depth + 1) for k, v in properties.items() if k in required}
        optional = {k: self.values(v, depth + 1) for k, v in properties.items()
                    if k not in required}  # fmt: skip
        base = st.fixed_dictionaries(fixed, optional=optional)
        if self.extra_fields and schema.get("additionalProperties") is not False:
            return st.tuples(base, EXTRA).map(lambda pair: {**pair[1], **pair[0]})
        return base
