"""Sequenzy API objects as rows of the source's tables. Pure: JSON in, rows or Arrow out.

Fields keep the API's names in snake_case. A sequence's details become the sequence's row and
one row per node, edge and email, each with its `sequence_id`: nodes keyed by their ids, edges
(which have none, in the SDK's `SequenceGraphEdgeInput`) by their source and target nodes,
emails by `emailId` and `nodeId`. A node, edge or email the sequence no longer has gets a
`removed` row (dlt's hard delete); one the API sent without its key cannot be merged and is
left out (`graph_rows` says how many). An enrollment's `enrollmentId` is its `id`. An event
keeps the vendor's `id`; one without gets a stable id from what identifies it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from sources.common.tables import KnownTypes, no_schema, snake_cased
from sources.sequenzy.settings import SEQUENZY_TABLES

GRAPH = ("nodes", "edges", "emails")
# part of the details -> (its table, its key)
PARTS: dict[str, tuple[str, str | tuple[str, str]]] = {
    "nodes": ("sequence_nodes", "id"),
    "edges": ("sequence_edges", ("source_node_id", "target_node_id")),
    "emails": ("sequence_emails", ("email_id", "node_id")),
}


def sequence_row(summary: dict[str, Any], details: dict[str, Any] | None) -> dict[str, Any]:
    """A sequence as listed, with what only its details hold (graph revision, email count,
    stop condition): where both say a field, the listing's is kept. `is_deleted` false: it is
    listed."""
    merged = {**{k: v for k, v in (details or {}).items() if k not in GRAPH}, **summary}
    return snake_cased([merged])[0] | {"is_deleted": False}


def deleted_sequence_row(last: dict[str, Any]) -> dict[str, Any]:
    return dict(last) | {"is_deleted": True}


def _key_names(part: str) -> tuple[str, ...]:
    key = PARTS[part][1]
    return key if isinstance(key, tuple) else (key,)


def part_key(part: str, row: dict[str, Any]) -> list[str]:
    return [row[k] for k in _key_names(part)]


def graph_rows(
    sequence_id: str, details: dict[str, Any]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """The sequence's nodes, edges and emails, by table; and per table, how many came without
    their key (left out)."""
    out: dict[str, list[dict[str, Any]]] = {}
    unkeyed: dict[str, int] = {}
    for part in GRAPH:
        table, names = PARTS[part][0], _key_names(part)
        given = [x for x in details.get(part) or [] if isinstance(x, dict)]
        found = [r | {"sequence_id": sequence_id} for r in snake_cased(given)]
        out[table] = [r for r in found if all(r.get(k) for k in names)]
        if len(out[table]) < len(found):
            unkeyed[table] = len(found) - len(out[table])
    return out, unkeyed


def removed_rows(part: str, sequence_id: str, keys: Iterable[list[str]]) -> list[dict[str, Any]]:
    """Rows that delete `keys` (nodes, edges or emails gone from the sequence)."""
    names = _key_names(part)
    return [dict(zip(names, k, strict=True)) | {"sequence_id": sequence_id, "removed": True}
            for k in keys]  # fmt: skip


def keyed(items: list[Any], key: str) -> list[dict[str, Any]]:
    """The objects that carry their `key` (the SDK lets any field be absent or null): one
    without it cannot be merged, so it is left out and the caller warns."""
    return [x for x in items if isinstance(x, dict) and x.get(key)]


def enrollment_table(enrollments: list[dict[str, Any]], known: KnownTypes = no_schema) -> pa.Table:
    rows = snake_cased(enrollments)
    for row in rows:
        row["id"] = row.pop("enrollment_id")
    return SEQUENZY_TABLES.arrow("enrollments", rows, known("enrollments"))


def subscriber_table(subscribers: list[dict[str, Any]], known: KnownTypes = no_schema) -> pa.Table:
    return SEQUENZY_TABLES.arrow("subscribers", snake_cased(subscribers), known("subscribers"))


def conversation_table(
    conversations: list[dict[str, Any]], known: KnownTypes = no_schema
) -> pa.Table:
    """Conversations with their `context` as `context_type` and `context_label`."""
    found = snake_cased(conversations)
    for row in found:
        context = row.pop("context", None)
        context = context if isinstance(context, dict) else {}
        row["context_type"], row["context_label"] = context.get("type"), context.get("label")
    return SEQUENZY_TABLES.arrow("conversations", found, known("conversations"))


def event_id(sequence_id: str, event: dict[str, Any]) -> str:
    """The event's own id, or a digest of its sequence, type, send, subscriber, node and time."""
    if event.get("id"):
        return str(event["id"])
    parts = [sequence_id, *(event.get(k) for k in ("eventType", "emailSendId", "subscriberId",
                                                    "campaignId", "eventTime"))]  # fmt: skip
    return "sha1:" + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def event_table(
    sequence_id: str, events: list[dict[str, Any]], known: KnownTypes = no_schema
) -> pa.Table:
    rows = snake_cased(events)
    for row, event in zip(rows, events, strict=True):
        row["id"] = event_id(sequence_id, event)
        row["sequence_id"] = sequence_id  # the stream is the sequence's: its events name none
    return SEQUENZY_TABLES.arrow("events", rows, known("events"))


def _stats(stats: dict[str, Any] | None) -> dict[str, Any]:
    return snake_cased([stats or {}])[0]


def metrics_rows(
    summary: dict[str, Any], metrics: dict[str, Any], date: str, loaded_at: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The sequence's funnel on `date` and one row per email step (the SDK's
    GetSequenceMetricsResponse; the name is the listing's, which `summary` is)."""
    sequence_id = summary["id"]
    counts = metrics.get("enrollmentCounts") or {}
    paused = metrics.get("pausedEnrollments") or {}
    skipped = metrics.get("enrollmentSkipped") or {}
    reasons = skipped.get("byReason") or {}
    row = {"sequence_id": sequence_id, "date": date, "sequence_name": summary.get("name"),
           **_stats(metrics.get("stats")), "active_enrollments": counts.get("active"),
           "waiting_enrollments": counts.get("waiting"), "live_enrollments": counts.get("total"),
           "paused_enrollments": paused.get("total"), "skipped_enrollments": skipped.get("count"),
           "skipped_unsubscribed": reasons.get("unsubscribed"),
           "skipped_bounced": reasons.get("bounced"), "loaded_at": loaded_at}  # fmt: skip
    steps = [{"sequence_id": sequence_id, "node_id": s["nodeId"], "date": date,
              "step": s.get("step"), "subject": s.get("subject"), **_stats(s.get("stats")),
              "failed_count": s.get("failedCount"), "loaded_at": loaded_at}
             for s in metrics.get("steps") or []
             if isinstance(s, dict) and s.get("nodeId")]  # fmt: skip
    return row, steps
