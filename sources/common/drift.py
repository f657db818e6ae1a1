"""Fields a table's contract does not know (the API added them) as columns that never fail a load.

A new field becomes a column typed by its values: bool, bigint, double or text, and JSON for
objects, lists and values of mixed kinds. JSON goes as text with a `json` hint (jsonb on
PostgreSQL, JSON on DuckDB): Arrow struct and list columns land on DuckDB but fail PostgreSQL's
loader whole (`ArrowInvalid: Unsupported Type: struct<...>`). Once a column has a type — from an
earlier load, or an earlier page of this one — a value that does not fit it goes to a variant
column `<name>__v_<type>`, as dlt's own normaliser does, instead of failing the load (a column
loaded as bigint cannot take "high"). Pure: values in, Arrow arrays out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
import pyarrow as pa

from sources.common import nul
from sources.common.nul import INT64

# A column's data type in the destination's schema, or None when it has none yet.
KnownType = Callable[[str], str | None]
JSON_FIELD = {b"data_type": b"json"}  # Arrow field metadata that `Tables.tagged` turns into a hint
ARROW = {"bool": pa.bool_(), "bigint": pa.int64(), "double": pa.float64(), "text": pa.string()}
# the kinds of value a column of each type takes (a text column takes any scalar, as text)
FITS = {"bigint": {"bigint"}, "double": {"bigint", "double"}, "bool": {"bool"},
        "text": {"text", "bigint", "double", "bool"}}  # fmt: skip


def nothing_known(column: str) -> str | None:
    return None


def kind(value: Any) -> str:
    """The data type a non-null value would get on its own."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "bigint" if value in INT64 else "double"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "text"
    return "json"


def _inferred(kinds: set[str]) -> str:
    if len(kinds) == 1:
        return next(iter(kinds))
    return "double" if kinds <= {"bigint", "double"} else "json"


def _fits(value_kind: str, target: str) -> bool:
    return target == "json" or value_kind in FITS.get(target, set())


NUL_ESCAPE = "\\u0000"  # how orjson writes U+0000 in a string


def json_text(value: Any) -> str:
    """A JSON value as text: orjson's, or the standard library's for what orjson refuses
    (an integer beyond 64 bits, which JSON allows and a vendor may send). No NUL: as text, its
    escape `\u0000` would fail PostgreSQL's JSON too. orjson writes it as that escape, so a
    text without one needs no walk of the value (a third of the time of a page of emails)."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = NUL_ESCAPE
    if NUL_ESCAPE not in text:
        return text
    value = nul.value(value)
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


def _array(values: list[Any], target: str) -> pa.Array:
    if target == "json":
        return pa.array([None if v is None else json_text(v) for v in values])
    if target == "text":
        text = [v if v is None or isinstance(v, str) else json_text(v) for v in values]
        return pa.array(text, pa.string())
    if target == "double":
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    return pa.array(values, ARROW[target])


def _field(column: str, array: pa.Array, target: str | None) -> tuple[pa.Field, pa.Array]:
    metadata = JSON_FIELD if target == "json" else None
    return pa.field(column, array.type, metadata=metadata), array


def columns(name: str, values: list[Any], known: str | None) -> list[tuple[pa.Field, pa.Array]]:
    """The column for field `name` (typed as `known`, else by its values), and a variant column
    per kind of value that does not fit that type."""
    kinds = [None if v is None else kind(v) for v in values]
    present = {k for k in kinds if k is not None}
    if known is None and not present:
        return [_field(name, pa.nulls(len(values)), None)]  # dlt adds it once it has a value
    target = known or _inferred(present)
    main = [
        v if k is not None and _fits(k, target) else None
        for v, k in zip(values, kinds, strict=True)
    ]
    out = [_field(name, _array(main, target), target)]
    for misfit in sorted(k for k in present if not _fits(k, target)):
        variant = [v if k == misfit else None for v, k in zip(values, kinds, strict=True)]
        out.append(_field(f"{name}__v_{misfit}", _array(variant, misfit), misfit))
    return out


def built_type(schema: pa.Schema, column: str) -> str | None:
    """The data type `columns` gave field `column` in a table of `schema`: None when the table
    has no such field, or only nulls in it (no type yet)."""
    index = schema.get_field_index(column)
    if index < 0:
        return None
    field = schema.field(index)
    if field.metadata == JSON_FIELD:
        return "json"
    return next((name for name, arrow_type in ARROW.items() if field.type == arrow_type), None)
