"""The sandbox's truth expressed as the tables the Unify source should produce."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sandbox.unify.validation import parse_rfc3339
from tests.support.truth import assert_tables_match, in_dataset
from tests.support.warehouses import DuckDBWarehouse

ENROLLMENT_COLUMNS = (
    "id", "created_at", "updated_at", "status", "sequence_id", "person_id", "mailbox_id",
    "enrolled_by_play_id", "reply_email_message_id", "is_blocked", "is_bounced", "is_canceled",
    "is_excluded", "is_opted_out", "is_paused", "is_replied", "started_at", "ended_at",
)  # fmt: skip


def instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromtimestamp(parse_rfc3339(text) / 1e6, UTC)


def expected_tables(state: Any) -> dict[str, set[tuple]]:
    """Rows (as tuples) per table, computed from the sandbox, independently of the source."""
    tables: dict[str, set[tuple]] = defaultdict(set)
    for e in state.all_enrollments():
        reply = e["reply_email_message"]
        play = e["enrolled_by_play"]
        tables["enrollments"].add((
            e["id"], instant(e["created_at"]), instant(e["updated_at"]), e["status"],
            e["sequence"]["id"], e["person"]["id"], e["mailbox"]["id"],
            play["id"] if play else None, reply["id"] if reply else None,
            e["is_blocked"], e["is_bounced"], e["is_canceled"], e["is_excluded"],
            e["is_opted_out"], e["is_paused"], e["is_replied"],
            instant(e["started_at"]), instant(e["ended_at"]),
        ))  # fmt: skip
        p = e["person"]
        tables["persons"].add(
            (p["id"], p["email"], p["first_name"], p["last_name"], p["linkedin_url"])
        )
        m = e["mailbox"]
        tables["mailboxes"].add(
            (m["id"], m["email"], m["display_name"], m["is_paused"], m["is_unauthorized"])
        )
        if play:
            tables["plays"].add((play["id"], play["name"]))
        if reply:
            tables["reply_email_messages"].add(
                (reply["id"], reply["subject"], instant(reply["received_at"]), e["id"])
            )
            for c in reply["classifications"]:
                tables["reply_email_classifications"].add((c["id"], c["category"], reply["id"]))
    for seq in state.world.sequences:
        b = seq.body
        if not seq.is_deleted:  # deleted ones are checked on their own (they keep their steps)
            tables["sequences"].add((b["id"], b["name"], b["is_paused"], False, b["owner"]["id"],
                                     (b["send_schedule"] or {}).get("id")))  # fmt: skip
        for k, step in enumerate(seq.steps, start=1):
            tables["sequence_steps"].add((step["id"], b["id"], k, step["type"], step["key"]))
    return dict(tables)


QUERIES = {
    "enrollments": f"select {', '.join(ENROLLMENT_COLUMNS)} from unify.enrollments",
    "persons": "select id, email, first_name, last_name, linkedin_url from unify.persons",
    "mailboxes": "select id, email, display_name, is_paused, is_unauthorized from unify.mailboxes",
    "plays": "select id, name from unify.plays",
    "reply_email_messages": "select id, subject, received_at, enrollment_id from unify.reply_email_messages",
    "reply_email_classifications": "select id, category, reply_email_message_id from unify.reply_email_classifications",
    "sequences": "select id, name, is_paused, is_deleted, owner_id, send_schedule_id from unify.sequences where not is_deleted",
    "sequence_steps": "select id, sequence_id, position, type, key from unify.sequence_steps",
}  # fmt: skip


def loaded_tables(warehouse: Any, dataset: str = "unify") -> dict[str, list[tuple]]:
    """Rows per table as loaded (lists, so duplicates would show); `warehouse` is one of
    tests.support.warehouses' or a DuckDB file's path; `dataset`: a workspace's."""
    if isinstance(warehouse, str):
        warehouse = DuckDBWarehouse(warehouse)
    queries = in_dataset(QUERIES, "unify", dataset)
    return {t: sorted(warehouse.rows(q), key=str) for t, q in queries.items()}


def assert_matches_truth(warehouse: Any, state: Any, dataset: str = "unify") -> None:
    assert_tables_match(loaded_tables(warehouse, dataset), expected_tables(state))
