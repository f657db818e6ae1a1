"""Enrollment pages as Arrow tables, one per destination table. Pure: JSON in, tables out.

Arrow tables go to parquet without dlt's per-row normaliser, which is most of the time a dict
based load spends. Types come from the tables' contracts in settings.py; fields the API adds
later become extra columns with inferred types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from sources.common.instants import parse_optional
from sources.unify.settings import HISTORY_FIELDS, TABLES

UTC_MICROS = pa.timestamp("us", tz="UTC")
_ARROW_TYPES = {"text": pa.string(), "bool": pa.bool_(), "timestamp": UTC_MICROS,
                "bigint": pa.int64(), "double": pa.float64()}  # fmt: skip
_EMBEDDED = ("sequence", "person", "mailbox", "enrolled_by_play", "reply_email_message")
_DIMENSIONS = ("persons", "mailboxes", "plays", "reply_email_messages",
               "reply_email_classifications")  # fmt: skip


def timestamps(values: list[str | None]) -> pa.Array:
    """RFC 3339 strings to UTC instants: Arrow's parser, or ours for what it refuses
    (lowercase `z`, more than six fraction digits)."""
    try:
        return pc.cast(pa.array(values, pa.string()), UTC_MICROS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([parse_optional(v) for v in values], UTC_MICROS)


def _column(kind: str, values: list[Any]) -> pa.Array:
    if kind == "timestamp":
        return timestamps(values)
    return pa.array(values, _ARROW_TYPES[kind])


def _extra(values: list[Any]) -> pa.Array:
    """A column the contract does not know: inferred, or JSON text when values disagree."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else orjson.dumps(v).decode() for v in values])


def table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows of a contracted table as Arrow: every contracted column, typed, plus any extras."""
    contract = TABLES[name]
    columns, fields = [], []
    for column, hint in contract.items():
        columns.append(_column(hint["data_type"], [r.get(column) for r in rows]))
        fields.append(pa.field(column, columns[-1].type, nullable=hint.get("nullable", True)))
    extras = sorted({k for r in rows for k in r} - set(contract))
    for column in extras:
        columns.append(_extra([r.get(column) for r in rows]))
        fields.append(pa.field(column, columns[-1].type))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def history_rows(enrollments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One version row per enrollment row: its status and flags as of its updated_at."""
    return [
        {"enrollment_id": e["id"], **{f: e.get(f) for f in HISTORY_FIELDS}} for e in enrollments
    ]


def enrollment_tables(enrollments: Iterable[dict[str, Any]]) -> dict[str, pa.Table]:
    """Enrollments (any number of pages) as Arrow tables of every table they touch.

    Embedded objects become rows of their own tables, deduplicated by id, and the enrollment
    keeps their ids.
    """
    rows: list[dict[str, Any]] = []
    dims: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in _DIMENSIONS}
    add: Callable[[str, dict[str, Any]], None] = lambda t, row: dims[t].__setitem__(row["id"], row)  # noqa: E731
    for e in enrollments:
        reply, play = e.get("reply_email_message"), e.get("enrolled_by_play")
        row = {k: v for k, v in e.items() if k not in _EMBEDDED}
        row["sequence_id"] = e["sequence"]["id"]
        row["person_id"] = e["person"]["id"]
        row["mailbox_id"] = e["mailbox"]["id"]
        row["enrolled_by_play_id"] = play["id"] if play else None
        row["reply_email_message_id"] = reply["id"] if reply else None
        rows.append(row)
        add("persons", e["person"])
        add("mailboxes", e["mailbox"])
        if play:
            add("plays", play)
        if reply:
            message = {k: v for k, v in reply.items() if k != "classifications"}
            add("reply_email_messages", message | {"enrollment_id": e["id"]})
            for c in reply.get("classifications") or []:
                add("reply_email_classifications", c | {"reply_email_message_id": reply["id"]})
    tables = {"enrollments": table("enrollments", rows)} if rows else {}
    if rows:
        tables["enrollment_history"] = table("enrollment_history", history_rows(rows))
    for name, by_id in dims.items():
        if by_id:
            tables[name] = table(name, list(by_id.values()))
    return tables
