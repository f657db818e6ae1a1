"""The Sequenzy sandbox's behaviour where the vendor's docs describe more than a schema does
(docs/vendors/sequenzy.md): the default-status trap, offset pages that shift, errors, keys, limits."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.sequenzy import (
    ALL_SCOPES,
    DEFAULT_API_KEY,
    DOCUMENTED_LIMITS,
    SequenzySandbox,
    WindowLimit,
)
from tests.support.served import bearer_client

EVERY_STATUS = "active,waiting,paused,completed,failed,cancelled"
SUBSCRIBERS_ONLY = "subscribers-only-key"


@pytest.fixture
def served() -> Iterator[tuple[SequenzySandbox, httpx.Client]]:
    sandbox = SequenzySandbox.create(
        enrollments=1500, frozen_clock=True, rate_limits=(),
        api_keys={DEFAULT_API_KEY: ALL_SCOPES, SUBSCRIBERS_ONLY: frozenset({"subscribers:read"})},
    )  # fmt: skip
    with bearer_client(sandbox, DEFAULT_API_KEY) as client:
        yield sandbox, client


def _live(sandbox: SequenzySandbox, which: int = 0) -> str:
    """A sequence taking new enrollments (every world has two)."""
    live = [
        s.body["id"] for s in sandbox.state.world.sequences if s.body["effectiveStatus"] == "live"
    ]
    return live[which]


def _pages(client: httpx.Client, path: str, **params: object) -> list[dict]:
    rows, offset = [], 0
    while True:
        body = client.get(path, params={"limit": 100, "offset": offset, **params}).json()
        rows += body["enrollments"]
        if not body["pagination"]["hasMore"]:
            return rows
        offset += body["pagination"]["count"]


def test_enrollments_default_to_those_still_in_the_sequence(served):
    sandbox, client = served
    live = _live(sandbox)
    default = _pages(client, f"/sequences/{live}/enrollments")
    every = _pages(client, f"/sequences/{live}/enrollments", status=EVERY_STATUS)
    assert {e["status"] for e in default} <= {"active", "waiting", "paused"}
    assert {e["status"] for e in every} >= {"completed", "waiting"} and len(every) > len(default)
    truth = [e for e in sandbox.state.enrollments_now() if e["sequenceId"] == live]
    assert sorted(e["enrollmentId"] for e in every) == sorted(e["enrollmentId"] for e in truth)


def test_offset_pages_shift_when_enrollments_arrive_while_a_client_pages(served):
    """Newest first: enrollments created between two pages push the rows already seen down,
    so the next offset page repeats some; one that finishes leaves the default listing and the
    next page skips one (the trap a client must survive)."""
    sandbox, client = served
    live = _live(sandbox)
    path = f"/sequences/{live}/enrollments"
    first = client.get(path, params={"limit": 50, "status": EVERY_STATUS}).json()["enrollments"]
    sandbox.state.advance(3 * 86_400)  # new enrollments start in the meantime
    second = client.get(path, params={"limit": 50, "offset": 50, "status": EVERY_STATUS}).json()
    seen = {e["enrollmentId"] for e in first}
    assert seen & {e["enrollmentId"] for e in second["enrollments"]}  # repeated rows


def test_errors_use_the_vendors_envelope(served):
    _, client = served
    missing = client.get("/sequences/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.json() == {"success": False,
                                                             "error": "Sequence not found"}  # fmt: skip
    bad = client.get(f"/sequences/{missing.request.url.path.split('/')[-1]}/enrollments",
                     params={"status": "stopped"})  # fmt: skip
    assert bad.status_code in (400, 404) and bad.json()["success"] is False
    scoped = client.get("/sequences", headers={"authorization": f"Bearer {SUBSCRIBERS_ONLY}"})
    assert scoped.status_code == 403 and "sequences:read" in scoped.json()["error"]
    assert client.get("/sequences", headers={"authorization": ""}).status_code == 401


def test_subscribers_page_by_number_or_by_cursor(served):
    sandbox, client = served
    by_cursor, cursor = [], None
    while True:
        body = client.get("/subscribers", params={"limit": 1000, **({"cursor": cursor} if cursor
                                                                     else {"cursor": ""})}).json()  # fmt: skip
        by_cursor += body["subscribers"]
        cursor = body["pagination"]["nextCursor"]
        if not body["pagination"]["hasMore"]:
            break
    by_page = []
    for page in range(1, 100):
        body = client.get("/subscribers", params={"page": page, "limit": 100}).json()
        by_page += body["subscribers"]
        if not body["pagination"]["hasMore"]:
            break
    assert by_cursor == by_page == sandbox.state.world.subscribers
    assert client.get("/subscribers", params={"page": 1, "limit": 500}).status_code == 400
    first = client.get("/subscribers", params={"limit": 1000}).json()  # a cursor pull's start
    assert first["subscribers"] == by_cursor[:1000]


def test_the_sandbox_runs_on_its_own_from_the_command_line():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "sandbox", "sequenzy", "--help"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0 and "--enrollments" in result.stdout


def test_the_documented_limits_answer_429_without_retry_after():
    """The documented limits, and how a refusal reads (a window of a minute, so that a slow
    machine cannot spread the requests over two windows)."""
    assert {(w.requests, w.window_seconds) for w in DOCUMENTED_LIMITS} == {(100, 60.0), (20, 1.0)}
    sandbox = SequenzySandbox.create(enrollments=100, rate_limits=(WindowLimit(5, 60.0),))
    with sandbox.serve() as url:
        base = SequenzySandbox.base_url(url)
        headers = {"authorization": f"Bearer {DEFAULT_API_KEY}"}
        answers = [httpx.get(base + "/sequences", headers=headers) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert "retry-after" not in answers[-1].headers and answers[-1].json()["success"] is False


def _events(client: httpx.Client, path: str, **params: object) -> list[dict]:
    rows, page = [], 1
    while True:
        body = client.get(path, params={"limit": 500, "page": page, **params}).json()
        rows += body["events"]
        if page >= body["pagination"]["totalPages"]:  # the SDK's Pagination has no hasMore
            return rows
        page += 1


def test_events_default_to_deliveries_and_agree_with_the_enrollments(served):
    sandbox, client = served
    live = _live(sandbox)
    path = f"/metrics/sequences/{live}/events"
    default = _events(client, path, period="90d")
    assert default and {e["eventType"] for e in default} == {"delivery"}
    every = _events(client, path, period="90d", eventTypes="send,delivery,bounce,open,click")
    assert {"send", "delivery", "open"} <= {e["eventType"] for e in every}
    stamps = [e["eventTime"] for e in every]
    assert stamps == sorted(stamps) and len({e["id"] for e in every}) == len(every)
    sends = [e for e in every if e["eventType"] == "send"]
    assert {e["subscriberId"] for e in sends} <= {
        e["subscriberId"] for e in sandbox.state.enrollments_now() if e["sequenceId"] == live
    }
    steps = {e["nodeId"] for e in sandbox.state.world.sequences[
        sandbox.state.world.sequence_position(live)].emails}  # fmt: skip
    assert {e["campaignId"] for e in every} <= steps  # the email node, as the SDK says
    stats = client.get(f"/metrics/sequences/{live}", params={"period": "90d"}).json()
    assert sum(s["stats"]["sent"] for s in stats["steps"]) == stats["stats"]["sent"]


def test_an_event_window_is_at_most_90_days(served):
    sandbox, client = served
    live = _live(sandbox)
    path = f"/metrics/sequences/{live}/events"
    wide = client.get(path, params={"start": "2026-01-01T00:00:00Z", "end": "2026-05-01T00:00:00Z"})
    assert wide.status_code == 400 and "90 days" in wide.json()["error"]
    ok = client.get(path, params={"start": "2026-01-01T00:00:00Z", "end": "2026-03-31T00:00:00Z"})
    assert ok.status_code == 200
    lonely = client.get(path, params={"start": "2026-01-01T00:00:00Z"})
    assert lonely.status_code == 400


def _running(client: httpx.Client, sequence_id: str) -> list[dict]:
    return _pages(client, f"/sequences/{sequence_id}/enrollments")


def test_cancel_is_a_dry_run_for_batches_and_at_once_for_one_subscriber(served):
    sandbox, client = served
    live = _live(sandbox)
    path = f"/sequences/{live}/enrollments/cancel"
    running = _running(client, live)
    ids = [e["subscriberId"] for e in running[:3]]
    dry = client.post(path, json={"subscriberIds": ids}).json()
    assert dry["dryRun"] is True and dry["cancelledCount"] == 0 and dry["matchedCount"] >= 3
    assert len(_running(client, live)) == len(running)  # nothing changed
    one = client.post(path, json={"subscriberId": ids[0]}).json()
    assert one["dryRun"] is False and one["cancelledCount"] >= 1
    real = client.post(path, json={"subscriberIds": ids, "dryRun": False}).json()
    left = {e["subscriberId"] for e in _running(client, live)}
    assert real["cancelledCount"] >= 2 and not left & set(ids)
    both = client.post(path, json={"subscriberId": ids[0], "cancelAll": True})
    assert both.status_code == 400 and both.json()["success"] is False


def test_cancel_all_is_capped_per_request_and_says_what_remains(served, monkeypatch):
    from sandbox.sequenzy import writes

    monkeypatch.setattr(writes, "CANCEL_CAP", 10)
    sandbox, client = served
    live = _live(sandbox)
    path = f"/sequences/{live}/enrollments/cancel"
    total, rounds = len(_running(client, live)), 0
    while True:
        answer = client.post(path, json={"cancelAll": True, "dryRun": False}).json()
        rounds += 1
        assert answer["cancelledCount"] <= 10
        if answer["remainingCount"] == 0:
            break
    assert rounds == -(-total // 10) and _running(client, live) == []


def test_enroll_and_the_sequence_actions_change_what_the_api_shows(served):
    sandbox, client = served
    live = _live(sandbox, 1)
    people = sandbox.state.world.subscribers
    busy = {e["subscriberId"] for e in _running(client, live)}
    idle = [p for p in people if p["status"] == "active" and p["id"] not in busy][:3]
    done = client.post(f"/sequences/{live}/enroll",
                       json={"emails": [p["email"] for p in idle] + ["nobody@example.org"]}).json()  # fmt: skip
    assert done["enrolled"] == 3 and done["notFound"] == ["nobody@example.org"]
    assert {p["id"] for p in idle} <= {e["subscriberId"] for e in _running(client, live)}
    paused = client.post(f"/sequences/{live}/pause-enrollments").json()  # flat, as the SDK's
    assert paused["effectiveStatus"] == "enrollment_paused" and paused["status"] == "active"
    refused = client.post(f"/sequences/{live}/enroll", json={"emails": [idle[0]["email"]]})
    assert refused.status_code == 409
    assert client.post(f"/sequences/{live}/resume-enrollments").json()["effectiveStatus"] == "live"
    assert client.post(f"/sequences/{live}/disable").json()["status"] == "paused"
    again = client.post(f"/sequences/{live}/disable").json()
    assert again["sequenceId"] == live and "already" in again["message"]
    assert client.post(f"/sequences/{live}/enable").json()["effectiveStatus"] == "live"


def test_paused_contacts_hold_their_step_until_resumed(served):
    """`enrollments/pause` holds a contact where it is: listed as paused with `pausedAt`, no
    `waitUntil`, nothing sent meanwhile; `/resume` lets it go on, later by the time it was
    held. Both are safe to repeat, and say which contacts they did not find."""
    sandbox, client = served
    live = _live(sandbox)
    waiting = [e for e in _running(client, live) if e["status"] == "waiting"][:2]
    ids = [e["subscriberId"] for e in waiting]
    body = {"subscriberIds": [*ids, "00000000-0000-4000-8000-000000000000"], "reason": "asked"}
    paused = client.post(f"/sequences/{live}/enrollments/pause", json=body).json()
    assert paused["pausedCount"] == 2 and paused["notFound"]["subscriberIds"] == [
        body["subscriberIds"][-1]
    ]
    assert (
        client.post(f"/sequences/{live}/enrollments/pause", json=body).json()["alreadyPausedCount"]
        == 2
    )
    listed = {e["subscriberId"]: e for e in _running(client, live)}
    assert all(
        listed[i]["status"] == "paused"
        and listed[i]["pausedAt"]
        and listed[i]["pauseReason"] == "asked"
        and listed[i]["waitUntil"] is None
        for i in ids
    )
    stats = client.get(f"/metrics/sequences/{live}").json()
    assert stats["pausedEnrollments"]["total"] >= 2
    sent_before = _sends(client, live, ids)
    sandbox.state.advance(10 * 86_400)
    assert _sends(client, live, ids) == sent_before  # nothing sent while held
    resumed = client.post(
        f"/sequences/{live}/enrollments/resume", json={"subscriberIds": ids}
    ).json()
    assert resumed["resumedCount"] == 2 and {e["outcome"] for e in resumed["enrollments"]} == {
        "resumed"
    }
    assert {e["status"] for e in resumed["enrollments"]} <= {"active", "waiting"}
    sandbox.state.advance(20 * 86_400)
    assert _sends(client, live, ids) > sent_before


def _sends(client: httpx.Client, sequence_id: str, subscribers: list[str]) -> int:
    every = _events(client, f"/metrics/sequences/{sequence_id}/events", period="90d",
                    eventTypes="send")  # fmt: skip
    return sum(e["subscriberId"] in subscribers for e in every)


def test_the_inbox_lists_each_reply_to_a_sequence_as_a_conversation_naming_it(served):
    """Open conversations unless asked for all; a reply's context names its sequence, by name."""
    sandbox, client = served
    every, page = [], 1
    while True:
        body = client.get(
            "/conversations", params={"status": "all", "limit": 100, "page": page}
        ).json()
        every += body["conversations"]
        if page >= body["pagination"]["totalPages"]:
            break
        page += 1
    opened = client.get("/conversations", params={"limit": 100}).json()
    assert {c["status"] for c in opened["conversations"]} == {"open"}
    assert opened["pagination"]["total"] < len(every)
    names = {s.body["name"] for s in sandbox.state.world.sequences}
    replies = [c for c in every if c["context"]["type"] == "sequence"]
    assert replies and {c["context"]["label"] for c in replies} <= names
    people = {e["subscriberId"] for e in sandbox.state.enrollments_now()
              if e["enrollmentId"] in sandbox.state.replied_now()}  # fmt: skip
    assert {c["subscriberId"] for c in replies} == people


def test_a_documented_filter_is_honoured_or_refused_never_ignored(served):
    sandbox, client = served
    live = _live(sandbox)
    refused = client.get("/subscribers", params={"tags": "vip"})
    assert refused.status_code == 400
    assert refused.json()["error"] == "querystring/tags is not supported by this sandbox"
    labelled = client.get("/sequences", params={"label": "no-such-label"}).json()
    assert labelled["sequences"] == []  # `label`, the alias of `labels`, filters
    checked = client.get(f"/sequences/{live}/enrollments",
                         params={"stopConditionMatch": "true", "limit": 500}).json()  # fmt: skip
    assert checked["pagination"]["limit"] == 100  # "capped ... above 100"
    running = [e for e in checked["enrollments"] if e["status"] in ("active", "waiting")]
    assert checked["stopConditionMatchEvaluatedCount"] == len(running)
    assert {e["stopConditionMatches"] for e in running} <= {False}
