"""The vendor's own client against the Sequenzy sandbox: the official Python SDK (PyPI `sequenzy`
2.1.35, generated from the vendor's API definition) makes every call the source and the actions
make. Each answer must parse into the SDK's models, carry no field the SDK does not name, and
carry values in the fields the connector reads wherever the world has them."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pydantic
import pytest
from sequenzy import Sequenzy

from sandbox.sequenzy import DEFAULT_API_KEY, SequenzySandbox, reference
from sources.sequenzy.webhooks import refusal


def _extras(value: Any, where: str = "") -> list[str]:
    """Every field the SDK's models do not name, at any depth (the models allow extras and
    keep them in `model_extra`)."""
    if isinstance(value, pydantic.BaseModel):
        found = [f"{where}.{name}" for name in value.model_extra or {}]
        return found + [e for name in type(value).model_fields
                        for e in _extras(getattr(value, name), f"{where}.{name}")]  # fmt: skip
    if isinstance(value, list | tuple):
        return [e for k, item in enumerate(value) for e in _extras(item, f"{where}[{k}]")]
    return []


@pytest.fixture(scope="module")
def sdk() -> Iterator[tuple[SequenzySandbox, Sequenzy]]:
    sandbox = SequenzySandbox.create(enrollments=1200, frozen_clock=True, rate_limits=())
    with sandbox.serve() as url:
        yield sandbox, Sequenzy(base_url=SequenzySandbox.base_url(url), api_key=DEFAULT_API_KEY)


def _live(sandbox: SequenzySandbox) -> str:
    return next(s.body["id"] for s in sandbox.state.world.sequences
                if s.body["effectiveStatus"] == "live")  # fmt: skip


def test_the_reads_parse_whole_and_carry_what_the_source_reads(sdk):
    sandbox, client = sdk
    listed = client.sequences.list(limit=100, offset=0)
    assert not _extras(listed) and listed.pagination and listed.pagination.has_more is False
    assert all(s.id and s.name and s.created_at and s.updated_at for s in listed.sequences or [])
    live = _live(sandbox)
    details = client.sequences.get(live)
    assert not _extras(details) and details.sequence
    graph = details.sequence
    assert graph.nodes and all(n.id for n in graph.nodes)
    assert graph.edges and all(e.source_node_id and e.target_node_id for e in graph.edges)
    assert graph.emails and all(e.email_id and e.node_id for e in graph.emails)
    every = "active,waiting,paused,completed,failed,cancelled"
    enrollments = client.sequences.list_enrollments(live, status=every, sort="enrolled_at_asc",
                                                    limit=500, offset=0)  # fmt: skip
    rows = enrollments.enrollments or []
    assert not _extras(enrollments) and rows
    assert all(e.enrollment_id and e.subscriber_id and e.status and e.enrollment_started_at
               and e.last_updated_at for e in rows)  # fmt: skip
    assert {e.status for e in rows} >= {"waiting", "completed"}
    default = client.sequences.list_enrollments(live, limit=500)
    assert {e.status for e in default.enrollments or []} <= {"active", "waiting", "paused"}
    people = client.subscribers.list(limit=1000, status="all")
    assert not _extras(people) and people.subscribers and all(p.id for p in people.subscribers)
    now = datetime.now(UTC)
    events = client.analytics.list_sequence_events(
        live, event_types=",".join(reference_event_types()), start=now - timedelta(days=89),
        end=now, limit=500, page=1,
    )  # fmt: skip
    assert not _extras(events) and events.events and events.pagination
    assert all(e.id and e.event_type and e.event_time and e.subscriber_id and e.campaign_id
               for e in events.events)  # fmt: skip
    inbox = client.conversations.list(status="all", limit=100, page=1)
    assert not _extras(inbox) and inbox.conversations
    replies = [c for c in inbox.conversations if c.context and c.context.type == "sequence"]
    assert replies and all(c.id and c.subscriber_id and c.created_at and c.context.label
                           for c in replies)  # fmt: skip
    metrics = client.analytics.get_sequence_metrics(live)
    assert not _extras(metrics) and metrics.stats and metrics.steps
    assert metrics.enrollment_counts is not None
    assert all(n.current_node_id for n in metrics.enrollment_counts.by_current_node)
    emails = client.analytics.list_email_metrics(email_type="sequence", sort="step", order="asc",
                                                 limit=100, page=1)  # fmt: skip
    assert not _extras(emails) and emails.emails and emails.pagination
    assert all(e.sequence_id and e.automation_node_id and e.stats for e in emails.emails)
    mine = {e.automation_node_id: (e.stats["sent"], e.stats["opened"]) for e in emails.emails
            if e.sequence_id == live and e.stats}  # fmt: skip
    steps = {s.node_id: (s.stats.sent, s.stats.opened) for s in metrics.steps if s.stats}
    assert mine == steps and any(sent for sent, _ in mine.values())  # "match the steps array"


def reference_event_types() -> tuple[str, ...]:
    from sources.sequenzy.settings import EVENT_TYPES

    return EVENT_TYPES


def test_the_writes_the_actions_make_parse_whole(sdk):
    sandbox, client = sdk
    live = _live(sandbox)
    waiting = [e for e in client.sequences.list_enrollments(live, limit=500).enrollments or []
               if e.status == "waiting"][:3]  # fmt: skip
    ids = [e.subscriber_id for e in waiting if e.subscriber_id]
    dry = client.sequences.cancel_enrollments(live, subscriber_ids=ids[:1], dry_run=True)
    assert not _extras(dry) and dry.dry_run is True and dry.matched_count == 1
    paused = client.sequences.pause_subscribers(live, subscriber_ids=ids[1:], reason="asked")
    assert not _extras(paused) and paused.paused_count == len(ids[1:])
    resumed = client.sequences.resume_subscribers(live, subscriber_ids=ids[1:])
    assert not _extras(resumed) and resumed.resumed_count == len(ids[1:])
    done = client.sequences.cancel_enrollments(live, subscriber_ids=ids[:1], dry_run=False)
    assert done.cancelled_count == 1
    for action in (client.sequences.pause_enrollments, client.sequences.resume_enrollments,
                   client.sequences.disable, client.sequences.enable):  # fmt: skip
        answer = action(live)
        assert not _extras(answer) and answer.sequence_id == live and answer.status
    idle = [p for p in sandbox.state.world.subscribers if p["status"] == "active" and p["email"]]
    enrolled = client.sequences.enroll_subscribers_in(live, emails=[idle[-1]["email"]])
    assert not _extras(enrolled) and enrolled.enrolled in (0, 1)


def test_webhooks_are_made_signed_delivered_logged_and_replayed_through_the_sdk(sdk):
    """What the listener's registration and gap healing call (pipelines.listen): an endpoint
    made (its signing secret shown once), a second secret in a rotation, the world's events
    delivered signed with every active secret, the delivery log, a replay, the removals."""
    sandbox, client = sdk
    got: list[tuple[dict[str, str], bytes]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append((dict(self.headers), self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(200 if len(got) > 1 else 500)  # the first attempt fails
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        made = client.webhooks.create(name="funnel", url=url, events=["email.replied"])
        assert not _extras(made) and made.webhook and made.webhook.signing_secret
        first = made.webhook.signing_secret
        added = client.webhooks.add_signing_secret(made.webhook.id)
        assert added.webhook and added.webhook.signing_secret not in (None, first)
        listed = client.webhooks.list()
        assert not _extras(listed) and [w.url for w in listed.webhooks or []] == [url]
        assert len(listed.webhooks[0].signing_secrets or []) == 2
        state = sandbox.state
        while not got:  # the clock moves on until someone replies
            state.advance(3_600)
            deadline = time.monotonic() + 10
            while state.hooks.dispatcher.pending() and time.monotonic() < deadline:
                time.sleep(0.02)
        headers, body = got[0]
        lowered = {k.lower(): v for k, v in headers.items()}
        for secret in (first, added.webhook.signing_secret):  # signed with each
            assert refusal(lowered, body, [secret], time.time(), 300) is None
        deliveries = client.webhooks.list_deliveries(made.webhook.id, limit=100)
        assert not _extras(deliveries)
        failed = [
            d for d in deliveries.deliveries or [] if d.attempts == 1 and d.last_status_code == 500
        ]
        assert failed and failed[0].status == "pending" and failed[0].next_attempt_at
        replayed = client.webhooks.replay_delivery(made.webhook.id, failed[0].id)
        assert not _extras(replayed) and replayed.delivery
        deadline = time.monotonic() + 10
        while len(got) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert got[1][1] == body  # the same event, delivered again
        secret_ids = [s.id for s in listed.webhooks[0].signing_secrets or []]
        kept = client.webhooks.remove_signing_secret(made.webhook.id, secret_ids[0])
        assert kept.webhook and len(kept.webhook.signing_secrets or []) == 1
        gone = client.webhooks.delete(made.webhook.id)
        assert not _extras(gone) and client.webhooks.list().webhooks == []
    finally:
        server.shutdown()


def test_every_operation_the_document_lists_is_driven_here():
    """The document lists exactly what these tests call through the SDK."""
    called = {"list", "get", "list_enrollments", "list_sequence_events", "get_sequence_metrics",
              "list_email_metrics",
              "cancel_enrollments", "pause_subscribers", "resume_subscribers", "pause_enrollments",
              "resume_enrollments", "disable", "enable", "enroll_subscribers_in", "create",
              "delete", "add_signing_secret", "remove_signing_secret", "list_deliveries",
              "replay_delivery"}  # fmt: skip
    assert {method for _, _, method in reference.OPERATIONS.values()} == called
