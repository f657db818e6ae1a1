"""The vendor's own client against the Sequenzy sandbox: the official Python SDK (PyPI `sequenzy`
2.1.35, generated from the vendor's API definition) makes every call the source and the actions
make. Each answer must parse into the SDK's models, carry no field the SDK does not name, and
carry values in the fields the connector reads wherever the world has them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pydantic
import pytest
from sequenzy import Sequenzy

from sandbox.sequenzy import DEFAULT_API_KEY, SequenzySandbox, reference


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


def test_every_operation_the_document_lists_is_driven_here():
    """The document lists exactly what these tests call through the SDK."""
    called = {"list", "get", "list_enrollments", "list_sequence_events", "get_sequence_metrics",
              "list_email_metrics",
              "cancel_enrollments", "pause_subscribers", "resume_subscribers", "pause_enrollments",
              "resume_enrollments", "disable", "enable", "enroll_subscribers_in"}  # fmt: skip
    assert {method for _, _, method in reference.OPERATIONS.values()} == called
