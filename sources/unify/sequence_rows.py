"""Sequences and their steps: API JSON in, rows out. Pure: no I/O, no state.

These tables are small, so they go to dlt as rows; enrollments and steps go as Arrow tables
(enrollment_rows.py, step_rows.py). Fields the API adds later are passed through, so they land
as new columns.
"""

from __future__ import annotations

from typing import Any

from sources.common.instants import parse_optional


def _instants(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        if name in row:
            row[name] = parse_optional(row[name])
    return row


def _id(obj: dict[str, Any] | None) -> str | None:
    return None if obj is None else obj["id"]


def embedded_sequences(enrollments: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The `sequence` objects embedded in a page, by id (id, name, is_paused)."""
    return {e["sequence"]["id"]: e["sequence"] for e in enrollments}


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
