"""The `sequences` resource: sequences, and each one's nodes, edges and emails.

The listing is read every run (one request for up to 100 sequences; the other resources need
it too). A sequence is loaded again only when its summary changed, and its details (`GET
/sequences/{id}`: the graph and the emails, one request each) are read again only when its
`updatedAt` did, so a run where nothing changed costs the listing alone. State keeps each
sequence's last row, digest and graph keys: a sequence gone from the listing is kept and
flagged `is_deleted`; a node, edge or email gone from a sequence is deleted from its table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import dlt
import orjson

from sources.common.notices import notices
from sources.sequenzy import helpers, rows
from sources.sequenzy.extraction import SequenzyRun
from sources.sequenzy.settings import SEQUENZY_TABLES

log = notices("sequenzy")


def _digest(summary: dict[str, Any]) -> str:
    return hashlib.sha1(orjson.dumps(summary, option=orjson.OPT_SORT_KEYS)).hexdigest()


def sequences(run: SequenzyRun) -> Iterator[Any]:
    state = dlt.current.resource_state()
    kept: dict[str, dict[str, Any]] = state.setdefault("sequences", {})
    listing = run.listing()
    out: list[dict[str, Any]] = []
    graph: dict[str, list[dict[str, Any]]] = {}
    with run.client() as client:
        for summary in listing.sequences:
            last = kept.get(summary["id"])
            digest = _digest(summary)
            if last and last["digest"] == digest and not last.get("deleted"):
                continue
            details: dict[str, Any] | None = None
            if not last or last["row"].get("updated_at") != summary.get("updatedAt"):
                details = helpers.sequence(client, summary["id"])
                if details is None:
                    continue  # deleted since it was listed: the next listing says so
            row = rows.sequence_row(summary, details) if details else _refreshed(last, summary)
            out.append(row)
            entry = kept[summary["id"]] = {"digest": digest, "row": row,
                                           "parts": (last or {}).get("parts", {})}  # fmt: skip
            if details is not None:
                _graph(summary["id"], details, entry, graph)
    listed = {s["id"] for s in listing.sequences}
    for sequence_id, last in kept.items():
        if sequence_id not in listed and not last.get("deleted"):
            out.append(rows.deleted_sequence_row(last["row"]))
            last["deleted"] = True
    if out:
        yield SEQUENZY_TABLES.tagged("sequences", out)
    for table, table_rows in graph.items():
        if table_rows:
            yield SEQUENZY_TABLES.tagged(table, table_rows)


def _refreshed(last: dict[str, Any] | None, summary: dict[str, Any]) -> dict[str, Any]:
    """A changed summary over the details last read (its graph did not change)."""
    details_fields = {k: v for k, v in (last or {}).get("row", {}).items()
                      if k in ("graph_revision", "email_count", "stop_condition")}  # fmt: skip
    return rows.sequence_row(summary, None) | details_fields


def _graph(
    sequence_id: str,
    details: dict[str, Any],
    entry: dict[str, Any],
    graph: dict[str, list[dict[str, Any]]],
) -> None:
    """The sequence's graph rows into `graph`, with removals of what it no longer has; the
    keys it has now into `entry`."""
    current, unkeyed = rows.graph_rows(sequence_id, details)
    for table, count in unkeyed.items():
        log.warning("Sequenzy sent %d %s of sequence %s without their key (%s): not loaded",
                    count, table, sequence_id, SEQUENZY_TABLES.key(table))  # fmt: skip
    for part, (table, _) in rows.PARTS.items():
        now = [rows.part_key(part, r) for r in current[table]]
        before = entry["parts"].get(part, [])
        gone = [k for k in before if k not in now]
        graph.setdefault(table, []).extend(
            current[table] + rows.removed_rows(part, sequence_id, gone)
        )
        entry["parts"][part] = now
