"""The sandbox's world expressed as the tables the Sequenzy source should produce, computed
from the sandbox (its rendered records and its own event stream), independently of the source."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime
from typing import Any

from sandbox.sequenzy import conversations, events
from tests.support.truth import assert_tables_match, in_dataset, loaded_tables


def instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def expected_tables(state: Any) -> dict[str, set[tuple]]:
    world, now = state.world, state.clock.now_us()
    tables: dict[str, set[tuple]] = defaultdict(set)
    for k, s in enumerate(world.sequences):
        b = s.body
        tables["sequences"].add((b["id"], b["name"], b["status"], b["effectiveStatus"], False))
        tables["sequence_nodes"].update((n["id"], b["id"], n["nodeType"]) for n in s.nodes)
        tables["sequence_edges"].update(
            (b["id"], a["id"], t["id"]) for a, t in itertools.pairwise(s.nodes)
        )
        tables["sequence_emails"].update(
            (e["emailId"], e["nodeId"], b["id"], e["subject"], e["stepNumber"]) for e in s.emails
        )
        stats = events.stats(events.sequence_events(world, k, now))
        tables["sequence_metrics"].add((b["id"], stats["sent"], stats["delivered"],
                                        stats["opened"], stats["clicked"]))  # fmt: skip
    for e in state.enrollments_now():
        tables["enrollments"].add((
            e["enrollmentId"], e["sequenceId"], e["subscriberId"], e["status"],
            e["currentNodeId"], instant(e["enrollmentStartedAt"]), instant(e["lastUpdatedAt"]),
        ))  # fmt: skip
    tables["subscribers"].update((s["id"], s["email"], s["status"]) for s in world.subscribers)
    tables["conversations"].update(
        (c["id"], c["subscriberId"], c["status"], c["context"]["type"], c["context"]["label"],
         instant(c["createdAt"]))
        for c in conversations.all_conversations(world, now)
    )  # fmt: skip
    for truth in state.events_now():
        ev = truth.event
        tables["events"].add((ev["id"], ev["eventType"], instant(ev["eventTime"]),
                              truth.sequence_id, ev["subscriberId"], ev["campaignId"]))  # fmt: skip
    return dict(tables)


QUERIES = {
    "sequences": "select id, name, status, effective_status, is_deleted from sequenzy.sequences",
    "sequence_nodes": "select id, sequence_id, node_type from sequenzy.sequence_nodes",
    "sequence_edges": "select sequence_id, source_node_id, target_node_id"
                      " from sequenzy.sequence_edges",
    "sequence_emails": "select email_id, node_id, sequence_id, subject, step_number"
                       " from sequenzy.sequence_emails",
    "sequence_metrics": "select sequence_id, sent, delivered, opened, clicked"
                        " from sequenzy.sequence_metrics where date ="
                        " (select max(date) from sequenzy.sequence_metrics)",  # the last day's
    "enrollments": "select id, sequence_id, subscriber_id, status, current_node_id,"
                   " enrollment_started_at, last_updated_at from sequenzy.enrollments",
    "subscribers": "select id, email, status from sequenzy.subscribers",
    "conversations": "select id, subscriber_id, status, context_type, context_label, created_at"
                     " from sequenzy.conversations",
    "events": "select id, event_type, event_time, sequence_id, subscriber_id,"
              " campaign_id from sequenzy.events",
}  # fmt: skip
KEY_WIDTH = {"sequence_emails": 2, "sequence_edges": 3}


def assert_matches_truth(warehouse: Any, state: Any, dataset: str = "sequenzy") -> None:
    """Every table exactly the world's: nothing missing, nothing extra, no duplicate keys;
    `dataset`: a workspace's."""
    queries = in_dataset(QUERIES, "sequenzy", dataset)
    assert_tables_match(loaded_tables(warehouse, queries), expected_tables(state), KEY_WIDTH)
