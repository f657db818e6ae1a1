"""Constants of the Sequenzy source: endpoints, limits, defaults and the tables' column
contracts. Field names and shapes are the vendor's official Python SDK's (PyPI `sequenzy`
2.1.35, generated from the vendor's API definition; docs/vendors/sequenzy.md), which
wins over the older docs, PHP SDK and MCP server where they differ; limits from the vendor's
docs (docs/vendors/sequenzy.md)."""

from __future__ import annotations

from typing import Any

from sources.common.retries import RetryPolicy
from sources.common.tables import BOOL, DOUBLE, ID, INT, JSON, TEXT, TS, Tables
from sources.common.tables import columns as _columns
from sources.common.values import DocumentedValues

SOURCE_NAME = "sequenzy"  # dlt source and config section
DEFAULT_BASE_URL = "https://api.sequenzy.com/api/v1"
KEY_SETTING = "SOURCES__SEQUENZY__API_KEY (or [sources.sequenzy] api_key)"
BASE_SETTING = f"SOURCES__SEQUENZY__BASE_URL (the API's is {DEFAULT_BASE_URL})"
# "100 requests per minute per API key and 20 requests per second burst" (the vendor's MCP
# README), answered 429 with no Retry-After. The client's windows are each a second longer
# than the API's, so requests spread unevenly in transit cannot land a 101st in its minute.
DOCUMENTED_LIMITS = ((100, 60), (20, 1))
CLIENT_LIMITS = ((100, 61), (20, 2))
SEQUENCES_LIMIT = 100  # "capped at 100"
ENROLLMENTS_LIMIT = 500  # "values above 500 are capped"
SUBSCRIBERS_LIMIT = 1_000  # with `cursor` ("limit up to 1000")
EVENTS_LIMIT = 500  # "limit (default 100, max 500)"
EMAIL_METRICS_LIMIT = 100  # "Emails per page" (the SDK names no bound)
CONVERSATIONS_LIMIT = 100  # "Results per page" (the SDK names no bound)
MAX_WINDOW_DAYS = 90  # "start+end (ISO, max 90 days)"
# The listing answers `active,waiting,paused` unless asked; every status, always.
ENROLLMENT_STATUSES = ("active", "waiting", "paused", "completed", "failed", "cancelled")
FINISHED = frozenset({"completed", "failed", "cancelled"})
# With no type the event stream answers deliveries only; every documented type, always.
EVENT_TYPES = ("send", "delivery", "bounce", "complaint", "open", "click", "unsubscribe",
               "delivery_delay", "transport_failure")  # fmt: skip
# 8 attempts from 1 s, each wait at most a minute: a 429 without Retry-After backs off to about
# a minute and a half
RETRY = RetryPolicy(max_attempts=8, backoff_initial=1.0, backoff_max=60.0)
BATCH_ROWS = 5_000

# A row with this column true deletes its key from the table (dlt's hard delete).
REMOVED = BOOL | {"hard_delete": True}
_STATS = dict(
    sent=INT, delivered=INT, delivery_rate=DOUBLE, bounced=INT, bounce_rate=DOUBLE, opened=INT,
    open_rate=DOUBLE, clicked=INT, click_rate=DOUBLE, unsubscribed=INT, unsubscribe_rate=DOUBLE,
    replies=INT, reply_rate=DOUBLE, conversions=INT, revenue_cents=INT, rate_denominator=INT,
    rate_denominator_basis=TEXT,
)  # fmt: skip
_DATE = TEXT | {"data_type": "date", "nullable": False}
TABLES: dict[str, dict[str, dict[str, Any]]] = {
    "sequences": _columns(
        id=ID, name=TEXT, description=TEXT, status=TEXT, effective_status=TEXT,
        effective_status_summary=TEXT, accepts_new_enrollments=BOOL,
        processes_existing_enrollments=BOOL, enrollment_paused=BOOL, trigger=TEXT,
        trigger_config=JSON, from_email=TEXT, from_name=TEXT, reply_to_email=TEXT,
        reply_to_name=TEXT, labels=JSON, label_ids=JSON, bcc_emails=JSON, created_at=TS,
        updated_at=TS, paused_at=TS, pause_reason=TEXT, pause_source=TEXT,
        paused_by_user_id=TEXT, sender_profile_id=TEXT, reply_profile_id=TEXT,
        user_cancellable=BOOL, graph_revision=TEXT, email_count=INT, stop_condition=JSON,
        is_deleted=BOOL,
    ),
    "sequence_nodes": _columns(
        id=ID, sequence_id=TEXT, automation_id=TEXT, node_type=TEXT, config=JSON,
        structural_step_number=INT, updated_at=TS, removed=REMOVED,
    ),
    # The SDK's SequenceGraphEdgeInput has no id: keyed by (sequence, source, target).
    "sequence_edges": _columns(
        sequence_id=ID, source_node_id=ID, target_node_id=ID, condition=JSON, removed=REMOVED,
    ),
    # The vendor's emails carry `emailId` and `nodeId`, no `id`: keyed by those.
    "sequence_emails": _columns(
        email_id=ID, node_id=ID, sequence_id=TEXT, node_type=TEXT, name=TEXT, subject=TEXT,
        preview_text=TEXT, step_number=INT, structural_step_number=INT, delay_ms=INT,
        delay_display=TEXT, delay_node_id=TEXT, from_name=TEXT, reply_to=TEXT,
        is_transactional=BOOL, removed=REMOVED,
    ),
    # `id` is the enrollment token's id (`enrollmentId`): one run of a subscriber through it.
    "enrollments": _columns(
        id=ID, sequence_id=TEXT, subscriber_id=TEXT, email=TEXT, first_name=TEXT,
        last_name=TEXT, subscriber_status=TEXT, status=TEXT, current_node_id=TEXT,
        current_node_type=TEXT, current_node_label=TEXT, current_node_missing=BOOL,
        enrollment_key=TEXT, enrollment_started_at=TS, wait_until=TS, last_updated_at=TS,
        paused_at=TS, pause_reason=TEXT, failed_reason=TEXT, moved_from_node_id=TEXT,
        moved_at=TS, move_reason=TEXT,
        stop_condition_matches=BOOL, stop_condition_match_reason=TEXT,
        branch_decision_count=INT, branch_decisions=JSON, branch_decisions_truncated=BOOL,
        entered_via=JSON, entry_context=JSON,
    ),
    # The inbox: a reply to a sequence has `context.type` "sequence" and its name as the label.
    "conversations": _columns(
        id=ID, subject=TEXT, status=TEXT, context_type=TEXT, context_label=TEXT,
        subscriber_id=TEXT, subscriber_email=TEXT, subscriber_name=TEXT, created_at=TS,
        last_message_at=TS, last_message_by=TEXT, last_message_preview=JSON, message_count=INT,
        has_unread=BOOL, spam=BOOL, recipient_address=TEXT,
    ),
    "subscribers": _columns(
        id=ID, email=TEXT, first_name=TEXT, last_name=TEXT, status=TEXT, email_provider=TEXT,
        tags=JSON, custom_attributes=JSON, created_at=TS, updated_at=TS, external_id=TEXT,
        phone=TEXT, phone_country=TEXT, sms_status=TEXT, timezone=TEXT, unsubscribed_at=TS,
    ),
    # The SDK's EmailEvent: `campaignId` is the sequence's email node; no sequence or
    # enrollment id (the sequence is the one asked for; staging ties events to enrollments).
    "events": _columns(
        id=ID, event_type=TEXT, event_time=TS, sequence_id=TEXT, campaign_id=TEXT,
        email_send_id=TEXT, email_type=TEXT, email_name=TEXT, subscriber_id=TEXT, email=TEXT,
        company_id=TEXT, ab_test_id=TEXT, ab_test_variant_id=TEXT, bounce_type=TEXT,
        bounce_sub_type=TEXT, complaint_type=TEXT, clicked_url=TEXT, outcome=TEXT, reason=TEXT,
        metadata=JSON, ip_address=TEXT, user_agent=TEXT, country_code=TEXT,
        transactional_email_id=TEXT,
    ),
    # The funnel of a sequence as the vendor counts it, once per sequence and (UTC) day: the
    # day's last read stands for the day.
    "sequence_metrics": _columns(
        sequence_id=ID, date=_DATE, sequence_name=TEXT, **_STATS, active_enrollments=INT,
        waiting_enrollments=INT, live_enrollments=INT, paused_enrollments=INT,
        skipped_enrollments=INT, skipped_unsubscribed=INT, skipped_bounced=INT, loaded_at=TS,
    ),
    "sequence_step_metrics": _columns(
        sequence_id=ID, node_id=ID, date=_DATE, step=INT, subject=TEXT, **_STATS,
        failed_count=INT, loaded_at=TS,
    ),
}  # fmt: skip
KEYS: dict[str, str | list[str]] = {
    "sequence_edges": ["sequence_id", "source_node_id", "target_node_id"],
    "sequence_emails": ["email_id", "node_id"],
    "sequence_metrics": ["sequence_id", "date"],
    "sequence_step_metrics": ["sequence_id", "node_id", "date"],
}
SEQUENZY_TABLES = Tables(TABLES, KEYS)


# The values the models interpret, as Sequenzy's SDK lists them (sources.common.values)
DOCUMENTED_VALUES = (
    DocumentedValues(
        "events", "event_type",
        ("send", "delivery", "bounce", "complaint", "open", "click", "unsubscribe",
         "delivery_delay", "transport_failure"),
        "EmailEvent.eventType", "not counted as a touch",
    ),
)  # fmt: skip
