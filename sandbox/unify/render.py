"""Enrollment rows rendered in the API's `Enrollment` shape (pure functions, no state changes).

Rows are rendered a page at a time: columns are gathered once and timestamps formatted in bulk,
which keeps the sandbox well ahead of any client it serves.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.common.clock import US
from sandbox.unify import words
from sandbox.unify.enrollments import (
    FLAG_FIELDS,
    HAS_REPLY,
    NULL,
    NULL_SUBJECT,
    STATUSES,
    EnrollmentTable,
    reply_categories,
)
from sandbox.unify.world import World

TIMESTAMPS = ("created_at", "updated_at", "started_at", "ended_at", "reply_at")


def rfc3339_many(values: np.ndarray) -> list[str | None]:
    """Vectorised `format_rfc3339`: `...:56Z` or `...:56.123Z`, None for nulls."""
    null = values == NULL
    safe = np.where(null, 0, values)
    with_ms = np.datetime_as_string((safe // 1000).astype("datetime64[ms]"), unit="ms")
    whole = np.datetime_as_string((safe // US).astype("datetime64[s]"), unit="s")
    text = np.where(safe % US < 1000, whole, with_ms)
    return [None if n else f"{t}Z" for t, n in zip(text.tolist(), null.tolist(), strict=True)]


def reply_message(world: World, i: int, flags: int, classes: int) -> dict[str, Any] | None:
    """Enrollment `i`'s reply (id, subject, classifications), or None when it has none."""
    if not flags & HAS_REPLY:
        return None
    subjects = words.REPLY_SUBJECTS
    return {
        "id": world.ids["reply"].make(i),
        "subject": None if flags & NULL_SUBJECT else subjects[i % len(subjects)],
        "classifications": [
            {"id": world.ids["class"].make(i * 2 + n), "category": category}
            for n, category in enumerate(reply_categories(classes))
        ],
    }


def enrollments(world: World, table: EnrollmentTable, indexes: list[int]) -> list[dict[str, Any]]:
    idx = np.asarray(indexes, dtype=np.int64)
    col = {
        name: table.cols[name][idx].tolist() for name in ("flags", "status", "sequence", "person")
    }
    col |= {name: table.cols[name][idx].tolist() for name in ("mailbox", "play", "reply_classes")}
    ts = {name: rfc3339_many(table.cols[name][idx]) for name in TIMESTAMPS}
    rows = []
    for k, i in enumerate(indexes):
        flags = col["flags"][k]
        seq = world.sequences[col["sequence"][k]]
        play = col["play"][k]
        reply = reply_message(world, i, flags, col["reply_classes"][k])
        if reply is not None:
            reply["received_at"] = ts["reply_at"][k]
        row: dict[str, Any] = {
            "id": world.ids["enroll"].make(i),
            "created_at": ts["created_at"][k],
            "updated_at": ts["updated_at"][k],
            "sequence": {"id": seq.id, "name": seq.body["name"], "is_paused": seq.is_paused},
            "person": world.person(col["person"][k]),
            "mailbox": world.mailboxes[col["mailbox"][k]],
            "enrolled_by_play": world.plays[play] if play >= 0 else None,
            "reply_email_message": reply,
            "status": STATUSES[col["status"][k]],
        }
        for name, bit in FLAG_FIELDS:
            row[name] = bool(flags & bit)
        row["started_at"] = ts["started_at"][k]
        row["ended_at"] = ts["ended_at"][k]
        rows.append(row)
    return rows
