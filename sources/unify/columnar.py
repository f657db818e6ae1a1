"""Enrollment pages as Arrow tables, one per destination table. Pure: JSON in, tables out.

Arrow tables go to parquet without dlt's per-row normaliser, which is most of the time a dict
based load spends. Types come from the tables' contracts in settings.py; fields the API adds
later become extra columns with inferred types.
"""

from __future__ import annotations

from collections.abc import Iterable
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


class TableRows:
    """Rows per table from a batch of API objects: enrollment rows as they come (a batch may
    hold two versions of one, and the history wants both), embedded objects deduplicated."""

    def __init__(self) -> None:
        self.enrollments: list[dict[str, Any]] = []
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}

    def add(self, name: str, row: dict[str, Any], key: str = "id") -> None:
        self.rows.setdefault(name, {})[row[key]] = row

    def enrollment(
        self,
        e: dict[str, Any],
        *,
        drop: tuple[str, ...],
        person: dict[str, Any],
        mailbox: dict[str, Any],
    ) -> None:
        """An enrollment row (less `drop`, with the ids of what it embeds) and the rows of
        its embedded person, mailbox, play, reply and classifications."""
        reply, play = e.get("reply_email_message"), e.get("enrolled_by_play")
        row = {k: v for k, v in e.items() if k not in drop}
        row |= {
            "sequence_id": e["sequence"]["id"], "person_id": person["id"],
            "mailbox_id": mailbox["id"], "enrolled_by_play_id": play["id"] if play else None,
            "reply_email_message_id": reply["id"] if reply else None,
        }  # fmt: skip
        self.enrollments.append(row)
        self.add("persons", person)
        self.add("mailboxes", mailbox)
        if play:
            self.add("plays", play)
        if reply:
            message = {k: v for k, v in reply.items() if k != "classifications"}
            self.add("reply_email_messages", message | {"enrollment_id": e["id"]})
            for c in reply.get("classifications") or []:
                self.add("reply_email_classifications", c | {"reply_email_message_id": reply["id"]})

    def arrow(self) -> dict[str, pa.Table]:
        tables = {name: table(name, list(by_key.values())) for name, by_key in self.rows.items()}
        if self.enrollments:
            tables["enrollments"] = table("enrollments", self.enrollments)
            tables["enrollment_history"] = table(
                "enrollment_history", history_rows(self.enrollments)
            )
        return tables


def enrollment_tables(enrollments: Iterable[dict[str, Any]]) -> dict[str, pa.Table]:
    """Enrollments (any number of pages) as Arrow tables of every table they touch.

    Embedded objects become rows of their own tables, deduplicated by id, and the enrollment
    keeps their ids.
    """
    out = TableRows()
    for e in enrollments:
        out.enrollment(e, drop=_EMBEDDED, person=e["person"], mailbox=e["mailbox"])
    return out.arrow()
