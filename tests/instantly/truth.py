"""The sandbox's world expressed as the tables the Instantly source should produce, computed
from the sandbox (its rendered records and its own analytics), independently of the source."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sandbox.instantly import analytics
from tests.support.truth import assert_tables_match, in_dataset, loaded_tables


def instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _steps(parent_id: str, entity: dict[str, Any]) -> list[tuple]:
    return [(parent_id, s, v, variant["subject"])
            for s, step in enumerate(entity["sequences"][0]["steps"])
            for v, variant in enumerate(step["variants"])]  # fmt: skip


def expected_tables(state: Any) -> dict[str, set[tuple]]:
    world, now = state.world, state.clock.now_us()
    tables: dict[str, set[tuple]] = defaultdict(set)
    for c in world.campaigns:
        tables["campaigns"].add((c["id"], c["name"], c["status"], False))
        tables["campaign_steps"].update(_steps(c["id"], c))
    for s in world.subsequences:
        tables["subsequences"].add((s["id"], s["parent_campaign"], s["name"], s["status"]))
        tables["subsequence_steps"].update(_steps(s["id"], s))
    for a in world.accounts:
        tables["accounts"].add((a["email"], a["status"]))
    for lead in state.leads_now():
        tables["leads"].add((
            lead["id"], lead["campaign"], lead["status"], lead["email"],
            lead["email_open_count"], lead["email_reply_count"], lead["email_click_count"],
            lead.get("lt_interest_status"), lead["subsequence_id"],
            instant(lead["timestamp_updated"]),
        ))  # fmt: skip
    for e in state.emails_now():
        tables["emails"].add((
            e["id"], instant(e["timestamp_created"]), e["campaign_id"], e["subsequence_id"],
            e["lead_id"], e["ue_type"], e["step"], int(e["step"]), bool(e["is_auto_reply"]),
            e["eaccount"],
        ))  # fmt: skip
    window = analytics.Window(now)
    for row in analytics.totals(world, window, list(range(len(world.campaigns)))):
        tables["campaign_analytics"].add((
            row["campaign_id"], row["leads_count"], row["emails_sent_count"],
            row["reply_count"], row["bounced_count"],
        ))  # fmt: skip
    for k, c in enumerate(world.campaigns):
        for day in analytics.daily(world, window, [k]):
            tables["campaign_analytics_daily"].add(
                (c["id"], date.fromisoformat(day["date"]), day["sent"], day["replies"])
            )
        for step in analytics.steps(world, window, [k], False):
            tables["campaign_analytics_steps"].add(
                (c["id"], int(step["step"]), int(step["variant"]), step["sent"])
            )
    return dict(tables)


QUERIES = {
    "campaigns": "select id, name, status, is_deleted from instantly.campaigns",
    "campaign_steps": "select campaign_id, step, variant, subject from instantly.campaign_steps",
    "subsequences": "select id, parent_campaign, name, status from instantly.subsequences",
    "subsequence_steps": "select subsequence_id, step, variant, subject from instantly.subsequence_steps",
    "accounts": "select email, status from instantly.accounts",
    "leads": "select id, campaign, status, email, email_open_count, email_reply_count,"
             " email_click_count, lt_interest_status, subsequence_id, timestamp_updated"
             " from instantly.leads",
    "emails": "select id, timestamp_created, campaign_id, subsequence_id, lead_id, ue_type,"
              " step, step_index, is_auto_reply, eaccount from instantly.emails",
    "campaign_analytics": "select campaign_id, leads_count, emails_sent_count, reply_count,"
                          " bounced_count from instantly.campaign_analytics",
    "campaign_analytics_daily": "select campaign_id, date, sent, replies"
                                " from instantly.campaign_analytics_daily",
    "campaign_analytics_steps": "select campaign_id, step, variant, sent"
                                " from instantly.campaign_analytics_steps",
}  # fmt: skip
KEY_WIDTH = {"campaign_steps": 3, "subsequence_steps": 3, "campaign_analytics_daily": 2,
             "campaign_analytics_steps": 3}  # fmt: skip


def assert_matches_truth(warehouse: Any, state: Any, dataset: str = "instantly") -> None:
    """Every table exactly the world's: nothing missing, nothing extra, no duplicate keys;
    `dataset`: a workspace's."""
    queries = in_dataset(QUERIES, "instantly", dataset)
    assert_tables_match(loaded_tables(warehouse, queries), expected_tables(state), KEY_WIDTH)
