"""The Instantly sandbox's world through its API: leads, emails, analytics and writes agree with
one another and with the vendor's documented behaviour (docs/vendors/instantly.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.instantly import ALL_SCOPES, DEFAULT_API_KEY, InstantlySandbox
from tests.support.served import bearer_client

READ_ONLY = "read-only-key"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[InstantlySandbox, httpx.Client]]:
    sandbox = InstantlySandbox.create(
        campaigns=6, accounts=4, leads=700, frozen_clock=True, rate_limits=(),
        api_keys={DEFAULT_API_KEY: ALL_SCOPES, READ_ONLY: frozenset({"all:read"})},
    )  # fmt: skip
    with bearer_client(sandbox, DEFAULT_API_KEY) as client:
        yield sandbox, client


def _leads(client: httpx.Client, **body: Any) -> tuple[list[dict[str, Any]], int]:
    seen: list[dict[str, Any]] = []
    after, pages = None, 0
    while True:
        page = client.post("/leads/list", json={"limit": 100, **body,
                                                **({"starting_after": after} if after else {})})  # fmt: skip
        page.raise_for_status()
        pages += 1
        if not page.json()["items"]:
            return seen, pages
        seen += page.json()["items"]
        after = page.json().get("next_starting_after")
        if after is None:
            return seen, pages


def _emails(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        query = {"limit": 100, **params, **({"starting_after": after} if after else {})}
        body = client.get("/emails", params=query).raise_for_status().json()
        if not body["items"]:
            return seen
        seen += body["items"]
        after = body.get("next_starting_after")
        if after is None:
            return seen


def test_leads_list_in_id_order_and_older_ids_are_not_chronological(served):
    sandbox, client = served
    leads, _ = _leads(client)
    assert leads == sandbox.state.leads_now()
    ids = [lead["id"] for lead in leads]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == sandbox.state.counts()["leads"]
    recent = [lead for lead in leads if lead["timestamp_created"] >= "2025-10-15"]
    old = [lead for lead in leads if lead["timestamp_created"] < "2025-10-15"]
    assert old and recent  # both kinds of id in the world
    assert [r["timestamp_created"] for r in recent] == sorted(
        r["timestamp_created"] for r in recent
    )
    assert {lead["id"][14] for lead in recent} == {"7"} and {lead["id"][14] for lead in old} == {
        "4"
    }


def test_the_leads_filter_by_campaign_and_status_in_the_json_body(served):
    sandbox, client = served
    campaign = sandbox.state.world.campaigns[0]["id"]
    everyone, _ = _leads(client)
    bounced, _ = _leads(client, campaign=campaign, filter="FILTER_VAL_BOUNCED")
    expected = [x for x in everyone if x["campaign"] == campaign and x["status"] == -1]
    assert bounced == expected and bounced
    answer = client.post("/leads/list", json={"limit": 101})
    assert answer.status_code == 400 and answer.json()["message"] == "body/limit must be <= 100"


def test_emails_list_by_timestamp_created_both_ways_and_filter(served):
    sandbox, client = served
    ascending = _emails(client, sort_order="asc")
    assert ascending == sandbox.state.emails_now()
    stamps = [e["timestamp_created"] for e in ascending]
    assert stamps == sorted(stamps) and len({e["id"] for e in ascending}) == len(ascending)
    assert _emails(client) == ascending[::-1]  # desc is the default
    cut = stamps[len(stamps) // 2]
    assert _emails(client, sort_order="asc", min_timestamp_created=cut) == [
        e for e in ascending if e["timestamp_created"] >= cut
    ]
    received = _emails(client, sort_order="asc", email_type="received")
    assert received == [e for e in ascending if e["ue_type"] == 2] and received
    previews = client.get("/emails", params={"limit": 5, "preview_only": "true"}).json()["items"]
    assert all(e["body"] == {} and e["content_preview"] for e in previews)


def test_each_leads_counters_agree_with_its_emails(served):
    _, client = served
    leads, _ = _leads(client)
    emails = _emails(client, sort_order="asc")
    replies = Counter(e["lead_id"] for e in emails if e["ue_type"] == 2)
    sends = Counter(e["lead_id"] for e in emails if e["ue_type"] == 1)
    for lead in leads:
        assert lead["email_reply_count"] == replies[lead["id"]]
        assert (sends[lead["id"]] > 0) == (lead["timestamp_last_contact"] is not None)


def test_campaign_analytics_agree_with_the_rows_they_summarise(served):
    sandbox, client = served
    leads, _ = _leads(client)
    emails = _emails(client, sort_order="asc")
    for campaign in sandbox.state.world.campaigns:
        cid = campaign["id"]
        [totals] = client.get("/campaigns/analytics", params={"id": cid}).json()
        own = [e for e in emails if e["campaign_id"] == cid and e["subsequence_id"] is None]
        members = [x for x in leads if x["campaign"] == cid]
        assert totals["emails_sent_count"] == sum(e["ue_type"] == 1 for e in own)
        replies = [e for e in own if e["ue_type"] == 2]
        assert totals["reply_count"] == sum(not e["is_auto_reply"] for e in replies)
        assert totals["reply_count_automatic"] == sum(e["is_auto_reply"] for e in replies)
        assert totals["leads_count"] == len(members)
        assert totals["bounced_count"] == sum(x["status"] == -1 for x in members)
        assert totals["unsubscribed_count"] == sum(x["status"] == -2 for x in members)
        assert totals["contacted_count"] == len({e["lead_id"] for e in own if e["ue_type"] == 1})
        daily = client.get("/campaigns/analytics/daily", params={"campaign_id": cid}).json()
        assert sum(d["sent"] for d in daily) == totals["emails_sent_count"]
        assert sum(d["replies"] for d in daily) == totals["reply_count"]
        steps = client.get("/campaigns/analytics/steps", params={"campaign_id": cid}).json()
        assert sum(s["sent"] for s in steps) == totals["emails_sent_count"]
        assert {(s["step"], s["variant"]) for s in steps} <= {
            (str(k), str(v)) for k, step in enumerate(campaign["sequences"][0]["steps"])
            for v in range(len(step["variants"]))
        }  # fmt: skip
    every_day = client.get("/campaigns/analytics/daily").json()  # no campaign: all summed
    assert sum(d["sent"] for d in every_day) == sum(
        e["ue_type"] == 1 for e in emails if e["subsequence_id"] is None
    )


def test_subsequence_analytics_count_their_own_emails(served):
    sandbox, client = served
    emails = _emails(client, sort_order="asc")
    for campaign in sandbox.state.world.campaigns:
        rows = client.get("/subsequences/analytics", params={"campaign_id": campaign["id"]})
        for row in rows.json():
            sent = [e for e in emails if e["subsequence_id"] == row["subsequence_id"]]
            assert row["emails_sent"] == len(sent)
    listed = client.get("/subsequences", params={"limit": 100}).json()["items"]
    assert {s["id"] for s in listed} == {s["id"] for s in sandbox.state.world.subsequences}


def test_advancing_the_clock_adds_emails_and_changes_leads():
    sandbox = InstantlySandbox.create(campaigns=4, accounts=3, leads=400, frozen_clock=True)
    before_leads = {x["id"]: x["timestamp_updated"] for x in sandbox.state.leads_now()}
    before_emails = len(sandbox.state.emails_now())
    changed = sandbox.state.advance(3 * 86_400)
    after = sandbox.state.leads_now()
    assert changed > 0 and len(sandbox.state.emails_now()) > before_emails
    assert len(after) > len(before_leads)  # new leads arrived
    moved = [x for x in after if x["id"] in before_leads
             and x["timestamp_updated"] != before_leads[x["id"]]]  # fmt: skip
    assert moved and all(x["timestamp_updated"] > before_leads[x["id"]] for x in moved)


def test_writes_change_the_entity_and_need_the_update_scope(served):
    sandbox, client = served
    world = sandbox.state.world
    sub = next(s for s in world.subsequences if s["status"] == 1)
    paused = client.post(f"/subsequences/{sub['id']}/pause").json()
    assert paused["id"] == sub["id"] and paused["status"] == 2
    assert client.post(f"/subsequences/{sub['id']}/resume").json()["status"] == 1
    campaign = world.campaigns[1]
    assert client.post(f"/campaigns/{campaign['id']}/pause").json()["status"] == 2
    assert client.post(f"/campaigns/{campaign['id']}/activate").json()["status"] == 1
    denied = client.post(f"/campaigns/{campaign['id']}/pause",
                         headers={"authorization": f"Bearer {READ_ONLY}"})  # fmt: skip
    assert denied.status_code == 403 and denied.json()["message"] == "Forbidden"
    parent = sub["parent_campaign"]
    leads, _ = _leads(client, campaign=parent)
    target = next(x for x in leads if x["subsequence_id"] is None)
    sandbox.state.clock.advance(1)
    moved = client.post(
        "/leads/subsequence/move", json={"id": target["id"], "subsequence_id": sub["id"]}
    )
    assert moved.json()["subsequence_id"] == sub["id"]
    assert moved.json()["timestamp_updated"] > target["timestamp_updated"]
    removed = client.post("/leads/subsequence/remove", json={"id": target["id"]}).json()
    assert removed["subsequence_id"] is None
    missing = client.post("/leads/subsequence/move", json={"id": target["id"]})
    assert missing.status_code == 400 and "subsequence_id" in missing.json()["message"]


def test_a_received_email_reaches_the_listing_after_its_timestamp_created():
    """The search index trails the database: why an incremental read needs a lookback."""
    sandbox = InstantlySandbox.create(campaigns=4, accounts=3, leads=400, frozen_clock=True)
    index = sandbox.state.world.emails
    now = sandbox.state.clock.now_us()
    late = next(j for j in range(len(index))
                if index.created[j] > now and index.listed[j] > index.created[j])  # fmt: skip
    sandbox.state.clock.advance((int(index.created[late]) - now) / 1e6)
    shown = {e["id"] for e in sandbox.state.emails_now()}
    assert index.id_of(late) not in shown
    sandbox.state.advance(90)
    assert index.id_of(late) in {e["id"] for e in sandbox.state.emails_now()}
