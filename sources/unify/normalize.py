"""API JSON in, rows per table out. Pure functions: no I/O, no state.

Embedded objects become rows of their own tables keyed by id, and the enrollment keeps their ids.
Fields the API adds later are passed through, so they land as new columns.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sources.common.instants import parse_optional

Rows = dict[str, list[dict[str, Any]]]
_EMBEDDED = ("sequence", "person", "mailbox", "enrolled_by_play", "reply_email_message")
_ENROLLMENT_TIMES = ("created_at", "updated_at", "started_at", "ended_at")


def _instants(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        if name in row:
            row[name] = parse_optional(row[name])
    return row


def _id(obj: dict[str, Any] | None) -> str | None:
    return None if obj is None else obj["id"]


def enrollment_rows(enrollments: list[dict[str, Any]]) -> Rows:
    """One page of `GET /enrollments` as rows of every table it touches (dimensions deduped)."""
    tables: Rows = defaultdict(list)
    dims: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for e in enrollments:
        row = {k: v for k, v in e.items() if k not in _EMBEDDED}
        row["sequence_id"] = e["sequence"]["id"]
        row["person_id"] = e["person"]["id"]
        row["mailbox_id"] = e["mailbox"]["id"]
        row["enrolled_by_play_id"] = _id(e.get("enrolled_by_play"))
        reply = e.get("reply_email_message")
        row["reply_email_message_id"] = _id(reply)
        tables["enrollments"].append(_instants(row, _ENROLLMENT_TIMES))
        dims["persons"][e["person"]["id"]] = dict(e["person"])
        dims["mailboxes"][e["mailbox"]["id"]] = dict(e["mailbox"])
        if e.get("enrolled_by_play"):
            dims["plays"][e["enrolled_by_play"]["id"]] = dict(e["enrolled_by_play"])
        if reply:
            message = {k: v for k, v in reply.items() if k != "classifications"}
            message["enrollment_id"] = e["id"]
            dims["reply_email_messages"][reply["id"]] = _instants(message, ("received_at",))
            for classification in reply.get("classifications") or []:
                dims["reply_email_classifications"][classification["id"]] = {
                    **classification,
                    "reply_email_message_id": reply["id"],
                }
    for table, by_id in dims.items():
        tables[table] = list(by_id.values())
    return dict(tables)


def embedded_sequences(enrollments: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The `sequence` objects embedded in a page, by id (id, name, is_paused)."""
    return {e["sequence"]["id"]: e["sequence"] for e in enrollments}


def max_updated_at(rows: list[dict[str, Any]]) -> Any:
    """The newest `updated_at` among normalised enrollment rows, or None."""
    return max((r["updated_at"] for r in rows if r.get("updated_at")), default=None)


def sequence_row(sequence: dict[str, Any], *, is_deleted: bool = False) -> dict[str, Any]:
    """A `GET /sequences` object (or an embedded one, for a deleted sequence) as a row."""
    nested = ("owner", "send_schedule", "sequence_ruleset")
    row = {k: v for k, v in sequence.items() if k not in nested}
    row["is_deleted"] = is_deleted
    owner = sequence.get("owner") or {}
    for field in ("id", "email", "first_name", "last_name"):
        if "owner" in sequence:
            row[f"owner_{field}"] = owner.get(field)
    schedule = sequence.get("send_schedule")
    if "send_schedule" in sequence:
        rules = (schedule or {}).get("rules") or {}
        row |= {
            "send_schedule_id": _id(schedule),
            "send_schedule_name": (schedule or {}).get("name"),
            "send_schedule_is_default": (schedule or {}).get("is_default"),
            "send_schedule_time_zone": rules.get("time_zone"),
            "send_schedule_skip_us_holidays": rules.get("skip_us_holidays"),
            "send_schedule_send_days": rules.get("send_days"),
            "send_schedule_excluded_dates": rules.get("excluded_dates"),
        }
    if "sequence_ruleset" in sequence:
        ruleset = sequence.get("sequence_ruleset") or {}
        for field, value in ruleset.items():
            if field not in ("created_at", "updated_at"):
                row[f"sequence_ruleset_{field}"] = value
        row.setdefault("sequence_ruleset_id", None)
    return _instants(row, ("created_at", "updated_at"))


def step_rows(steps: list[dict[str, Any]], first_position: int = 1) -> list[dict[str, Any]]:
    """`GET /sequences/{id}/steps` items as rows; `position` is the order the API lists them."""
    rows = []
    for offset, step in enumerate(steps):
        config = step.get("config") or {}
        due = config.get("relative_due_at") or {}
        dependencies = step.get("dependencies") or []
        row = {k: v for k, v in step.items() if k != "config"}
        row |= {
            "position": first_position + offset,
            "parent_step_id": dependencies[0].get("parent_step_id") if dependencies else None,
            "relative_due_at_num_units": due.get("num_units_of_time"),
            "relative_due_at_unit": due.get("unit_of_time"),
        }
        row |= {k: v for k, v in config.items() if k != "relative_due_at"}
        rows.append(_instants(row, ("created_at", "updated_at")))
    return rows
