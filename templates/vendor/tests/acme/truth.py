"""The sandbox's world as the tables the Acme source should produce, read from the sandbox's
state, independently of the source."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.truth import assert_tables_match, loaded_tables


def instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def expected_tables(state: Any) -> dict[str, set[tuple]]:
    enrollments = {
        (e["id"], e["sequence_id"], e["email"], e["status"], instant(e["updated_at"]),
         instant(e["sent_at"]), instant(e["replied_at"]))
        for e in state.enrollments.values()
    }  # fmt: skip
    return {"sequences": {(s["id"], s["name"]) for s in state.sequences},
            "enrollments": enrollments}  # fmt: skip


QUERIES = {
    "sequences": "select id, name from acme.sequences",
    "enrollments": "select id, sequence_id, email, status, updated_at, sent_at, replied_at"
                   " from acme.enrollments",
}  # fmt: skip


def assert_matches_truth(warehouse: Any, state: Any) -> None:
    assert_tables_match(loaded_tables(warehouse, QUERIES), expected_tables(state))
