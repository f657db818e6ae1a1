"""API rows as Arrow tables under a column contract. Pure: rows in, tables out.

Arrow tables go to parquet without dlt's per-row normaliser, which is most of the time a dict
based load spends. Contracted columns get their declared types (a column null on every row
still exists, typed); fields the contract does not know (the API added them later) become extra
columns as `sources.common.drift` types them, so that no new field fails a load.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from sources.common import drift
from sources.common.instants import parse_optional

UTC_MICROS = pa.timestamp("us", tz="UTC")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ARROW_TYPES = {"text": pa.string(), "bool": pa.bool_(), "timestamp": UTC_MICROS,
               "bigint": pa.int64(), "double": pa.float64()}  # fmt: skip

Contract = Mapping[str, Mapping[str, Any]]


def response_struct(contract: Contract, *names: str, **objects: pa.DataType) -> pa.StructType:
    """An API object's shape for Arrow's JSON reader, from the table contract it fills: the
    contract's columns `names` (all of them when none is named) with their types, instants as
    text (`timestamps` parses them as the row path does), then the nested `objects`."""
    columns = [(name, contract[name]["data_type"]) for name in names or contract]
    fields = [(n, pa.string() if kind == "timestamp" else ARROW_TYPES[kind]) for n, kind in columns]
    return pa.struct(fields + list(objects.items()))


def timestamps(values: list[str | None] | pa.Array | pa.ChunkedArray) -> Any:
    """RFC 3339 strings to UTC instants: Arrow's parser, or ours for what it refuses
    (lowercase `z`, more than six fraction digits)."""
    strings = values
    if not isinstance(strings, pa.Array | pa.ChunkedArray):
        strings = pa.array(values, pa.string())
    try:
        return pc.cast(strings, UTC_MICROS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([parse_optional(v) for v in strings.to_pylist()], UTC_MICROS)


def _column(kind: str, values: list[Any]) -> pa.Array:
    if kind == "timestamp":
        return timestamps(values)
    if kind == "json":  # as text with a `json` hint, as for new fields (sources.common.drift)
        return pa.array([None if v is None else drift.json_text(v) for v in values], pa.string())
    return pa.array(values, ARROW_TYPES[kind])


def table(
    contract: Contract, rows: list[dict[str, Any]], known: drift.KnownType = drift.nothing_known
) -> pa.Table:
    """Rows as Arrow: every contracted column, typed, plus any extras (sorted by name), typed
    as `known` says the destination has them (see `sources.common.drift`)."""
    columns, fields = [], []
    for column, hint in contract.items():
        columns.append(_column(hint["data_type"], [r.get(column) for r in rows]))
        metadata = drift.JSON_FIELD if hint["data_type"] == "json" else None
        nullable = hint.get("nullable", True)
        fields.append(pa.field(column, columns[-1].type, nullable=nullable, metadata=metadata))
    extras = sorted({k for r in rows for k in r} - set(contract))
    for column in extras:
        for field, array in drift.columns(column, [r.get(column) for r in rows], known(column)):
            fields.append(field)
            columns.append(array)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def newest(instants: pa.Array | pa.ChunkedArray, than: Any = None) -> Any:
    """The latest instant of a column, or `than` when that is later (None when both are
    missing: an empty or all-null column and no `than`)."""
    micros = pc.max(pc.cast(instants, pa.int64())).as_py()  # a timestamp's as_py imports pandas
    latest = None if micros is None else EPOCH + timedelta(microseconds=micros)
    return max(filter(None, (than, latest)), default=None)


def read_ndjson(content: bytes, schema: pa.Schema, *, document: bool = False) -> pa.Table | None:
    """An NDJSON body read by Arrow's JSON reader against `schema` (every object, at any depth,
    exactly as declared), or None when it does not hold so: a field the schema lacks, a value of
    another type, a line that is not JSON. The caller then reads it row by row. `document`: a
    JSON object that may span lines (a pretty-printed body), read as a table of one row, on this
    thread: one object is one block, which Arrow's thread pool cannot share out (0.41 ms for a
    100-enrollment page, against 0.60 ms with the pool)."""
    options = pa_json.ParseOptions(
        explicit_schema=schema, unexpected_field_behavior="error", newlines_in_values=document
    )
    reading = pa_json.ReadOptions(use_threads=not document)
    try:
        return pa_json.read_json(io.BytesIO(content), read_options=reading, parse_options=options)
    except pa.ArrowInvalid:
        return None


def nested(column: Any, *path: str) -> Any:
    """A struct column's field at a path of names (`nested(steps, "enrollment", "id")`), null
    where a parent is, as `pc.struct_field` gives it; but without a compute call. A compute call
    lets go of the GIL and must take it back, which costs 50-80 us while threads fetch pages
    (9 us without them); this child lookup holds it, in under 1 us (measured,
    bench/unify/RESULTS.md)."""
    for name in path:
        if isinstance(column, pa.ChunkedArray):
            kind = column.type.field(name).type
            column = pa.chunked_array([_child(c, name) for c in column.chunks], kind)
        else:
            column = _child(column, name)
    return column


def children(column: Any, kind: pa.StructType) -> dict[str, Any]:
    """Every field of a struct column of type `kind`, by name, as `nested` gives each."""
    return {f.name: nested(column, f.name) for f in kind}


def _child(array: pa.StructArray, name: str) -> pa.Array:
    flattened = getattr(array, "_flattened_field", None)  # pyarrow's own, if not public
    return flattened(name) if flattened is not None else pc.struct_field(array, name)


def typed(contract: Contract, columns: Mapping[str, pa.Array | pa.ChunkedArray]) -> pa.Table:
    """Columns already taken apart as a table under a contract, as `table` gives rows: every
    contracted column in order, with its declared type (a missing one all null). For contracts
    without JSON columns, and columns without extras."""
    length = len(next(iter(columns.values())))
    arrays, fields = [], []
    for column, hint in contract.items():
        kind = hint["data_type"]
        values = columns.get(column)
        if kind == "timestamp":
            array = timestamps(values if values is not None else pa.nulls(length, pa.string()))
        elif values is None:
            array = pa.nulls(length, ARROW_TYPES[kind])
        else:  # a cast even to the same type is a compute call (see `nested`)
            same = values.type == ARROW_TYPES[kind]
            array = values if same else pc.cast(values, ARROW_TYPES[kind])
        arrays.append(array)
        fields.append(pa.field(column, array.type, nullable=hint.get("nullable", True)))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def last_per_key(table: pa.Table, key: str) -> pa.Table:
    """One row per key, as `RowsByTable.add` keeps them: each key where it first appears, with
    the values of its last row."""
    last: dict[Any, int] = {}
    for index, value in enumerate(table[key].to_pylist()):
        last[value] = index
    return table.take(positions(list(last.values())))


def combined(column: pa.ChunkedArray) -> pa.Array:
    """A chunked column as one array; `combine_chunks` makes one of no chunks with `pa.array`,
    which imports pandas (see `positions`)."""
    return pa.concat_arrays(column.chunks) if column.num_chunks else pa.nulls(0, column.type)


def positions(values: list[int]) -> pa.Array:
    """Row positions as an Arrow array, built from a numpy buffer: `pa.array` imports pandas
    wherever it is installed (pyarrow checks whether it was handed a pandas object), which costs
    a run 0.15 s and 54 MB, and no load uses pandas."""
    data = np.asarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])
