"""List endpoint pages read straight into Arrow, and their tables taken apart column by column.

A first load pages `GET /enrollments` 100 enrollments at a time (docs/vendors/unify.md,
Enrollments): parsed into dicts and walked row by row, that is most of the list backfill's time, all
of it holding the GIL. Arrow's JSON reader parses a page against the documented shape instead
(`ListEnrollmentsResponse` in the OpenAPI document), in the thread that fetched it and off the GIL,
and the tables come from its columns.

As for bulk pages (bulk_pages.py), the fast path never changes what is loaded: a body the
documented shape does not hold exactly — a field the document does not name (at any depth), a
value of another type — is parsed as JSON and normalised row by row (enrollment_rows), which
types new fields as `sources.common.drift` does. tests/unify/test_list_pages.py checks that both
give equal tables. Pure: bytes in, tables out.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sources.common import arrow
from sources.common.arrow import response_struct
from sources.unify.settings import ENROLLMENT_FLAGS, HISTORY_FIELDS, TABLES, UNIFY_TABLES

# The documented shape (`Enrollment`), from the table contracts its fields fill: a field added
# to a contract is read by Arrow at once, and no shape is written twice.
_SEQUENCE = response_struct(TABLES["sequences"], "id", "name", "is_paused")
_PERSON = response_struct(TABLES["persons"])
_MAILBOX = response_struct(TABLES["mailboxes"])
_PLAY = response_struct(TABLES["plays"])
_CLASSIFICATION = response_struct(TABLES["reply_email_classifications"], "id", "category")
_REPLY = response_struct(TABLES["reply_email_messages"], "id", "subject", "received_at",
                         classifications=pa.list_(_CLASSIFICATION))  # fmt: skip
ENROLLMENT = pa.struct([
    *response_struct(TABLES["enrollments"], "id", "created_at", "updated_at"),
    pa.field("sequence", _SEQUENCE), pa.field("person", _PERSON), pa.field("mailbox", _MAILBOX),
    pa.field("enrolled_by_play", _PLAY), pa.field("reply_email_message", _REPLY),
    *response_struct(TABLES["enrollments"], "status", *ENROLLMENT_FLAGS, "started_at", "ended_at"),
])  # fmt: skip
PAGE_SCHEMA = pa.schema([("enrollments", pa.list_(ENROLLMENT)), ("next_cursor", pa.string())])
_EMBEDDED = {"sequence", "person", "mailbox", "enrolled_by_play", "reply_email_message"}


def read_list_page(content: bytes) -> dict[str, Any] | None:
    """A `GET /enrollments` body as `{"enrollments": <Arrow struct array>, "next_cursor": ...}`,
    or None when it is not exactly of the documented shape (the client then parses it as JSON)."""
    table = arrow.read_ndjson(content, PAGE_SCHEMA, document=True)
    if table is None or table.num_rows != 1 or not table["enrollments"].is_valid().to_pylist()[0]:
        return None
    enrollments = arrow.combined(pc.list_flatten(table["enrollments"]))
    return {"enrollments": enrollments, "next_cursor": table["next_cursor"][0].as_py()}


def embedded_sequences(enrollments: pa.Array | pa.ChunkedArray) -> dict[str, dict[str, Any]]:
    """The `sequence` objects embedded in enrollments read by `read_list_page`, by id, as
    `sequence_rows.embedded_sequences` gives them."""
    sequences = arrow.nested(enrollments, "sequence")
    by_id = pa.table({"id": arrow.nested(sequences, "id"), "sequence": sequences})
    return {s["id"]: s for s in arrow.last_per_key(by_id, "id")["sequence"].to_pylist()}


def _distinct(table: str, columns: dict[str, Any], present: Any = None) -> pa.Table:
    rows = UNIFY_TABLES.typed(table, columns)
    return arrow.last_per_key(rows if present is None else rows.filter(present), "id")


def list_page_tables(enrollments: pa.Array | pa.ChunkedArray) -> dict[str, pa.Table]:
    """Enrollments read by `read_list_page` (any number of pages) as
    `enrollment_rows.list_enrollment_tables` gives them."""
    if not len(enrollments):
        return {}
    e = pa.table(arrow.children(enrollments, ENROLLMENT))
    person, mailbox = e["person"], e["mailbox"]
    play, reply = e["enrolled_by_play"], e["reply_email_message"]
    row = {n: e[n] for n in e.column_names if n not in _EMBEDDED} | {
        "sequence_id": arrow.nested(e["sequence"], "id"), "person_id": arrow.nested(person, "id"),
        "mailbox_id": arrow.nested(mailbox, "id"), "enrolled_by_play_id": arrow.nested(play, "id"),
        "reply_email_message_id": arrow.nested(reply, "id"),
    }  # fmt: skip
    history = {"enrollment_id": e["id"]} | {f: e[f] for f in HISTORY_FIELDS}
    out = {
        "enrollments": UNIFY_TABLES.typed("enrollments", row),
        "enrollment_history": UNIFY_TABLES.typed("enrollment_history", history),
        "persons": _distinct("persons", arrow.children(person, _PERSON)),
        "mailboxes": _distinct("mailboxes", arrow.children(mailbox, _MAILBOX)),
    }
    # An embedded play or reply is one that has an id (the row path skips null and {}).
    played = pc.is_valid(arrow.nested(play, "id"))
    out["plays"] = _distinct("plays", arrow.children(play, _PLAY), played)
    replied = pc.is_valid(arrow.nested(reply, "id"))
    replies = {f: arrow.nested(reply, f) for f in ("id", "subject", "received_at")}
    out["reply_email_messages"] = _distinct(
        "reply_email_messages", replies | {"enrollment_id": e["id"]}, replied
    )
    classified = pa.table({
        "reply": arrow.nested(reply, "id"), "lists": arrow.nested(reply, "classifications"),
    }).filter(replied)  # fmt: skip
    lists = arrow.combined(classified["lists"])
    flat = pc.list_flatten(lists)
    owners = pc.take(classified["reply"], pc.list_parent_indices(lists))
    out["reply_email_classifications"] = _distinct(
        "reply_email_classifications",
        arrow.children(flat, _CLASSIFICATION) | {"reply_email_message_id": owners},
    )
    return {name: rows for name, rows in out.items() if rows.num_rows}
