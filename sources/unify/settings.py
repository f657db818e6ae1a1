"""Constants of the Unify source: endpoints, defaults, and the tables' column contracts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

DEFAULT_BASE_URL = "https://api.unifygtm.com/sequences/v1"
KEY_SETTING = "SOURCES__UNIFY__API_KEY (or [sources.unify] api_key)"
PAGE_LIMIT = 100  # the API's maximum
DEFAULT_LOOKBACK_SECONDS = 300.0  # re-read this much before the high-water mark each run
CLOCK_SKEW_SECONDS = 60.0  # upper bound margin when the API sends no Date header
DEFAULT_SEQUENCES_REFRESH_MINUTES = 60.0  # list sequences at most this often (0: every run)
DEFAULT_CONCURRENCY = 16  # updated_at windows paged at once (measured: 5x one cursor at +100 ms)
WINDOWS_PER_WORKER = 4  # more windows than workers: equal-time windows hold unequal rows
MIN_WINDOW = timedelta(minutes=10)  # a range shorter than this a window is not split
BATCH_ROWS = 2000  # enrollments per Arrow batch handed to dlt
# "The Sequences API is rate-limited to 100,000 requests per five minute window."
RATE_LIMIT = (100_000, 300)

TS: dict[str, Any] = {"data_type": "timestamp", "timezone": True, "nullable": True}
TEXT: dict[str, Any] = {"data_type": "text", "nullable": True}
BOOL: dict[str, Any] = {"data_type": "bool", "nullable": True}
INT: dict[str, Any] = {"data_type": "bigint", "nullable": True}
JSON: dict[str, Any] = {"data_type": "json", "nullable": True}
DOUBLE: dict[str, Any] = {"data_type": "double", "nullable": True}
ID: dict[str, Any] = {"data_type": "text", "nullable": False}


def _columns(**types: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: dict(kind) for name, kind in types.items()}


ENROLLMENT_FLAGS = (
    "is_blocked", "is_bounced", "is_canceled", "is_excluded", "is_opted_out", "is_paused",
    "is_replied",
)  # fmt: skip

# Every table is merged on `id`. Columns are declared with types so that a column null on every
# row still exists with its type; fields the API adds later land as new columns.
TABLES: dict[str, dict[str, dict[str, Any]]] = {
    "enrollments": _columns(
        id=ID, created_at=TS, updated_at=TS | {"dedup_sort": "desc"}, status=TEXT,
        sequence_id=TEXT, person_id=TEXT, mailbox_id=TEXT, enrolled_by_play_id=TEXT,
        reply_email_message_id=TEXT, **{flag: BOOL for flag in ENROLLMENT_FLAGS},
        started_at=TS, ended_at=TS,
    ),
    "sequences": _columns(
        id=ID, name=TEXT, is_paused=BOOL, is_deleted=BOOL, created_at=TS, updated_at=TS,
        owner_id=TEXT, owner_email=TEXT, owner_first_name=TEXT, owner_last_name=TEXT,
        send_schedule_id=TEXT, send_schedule_name=TEXT, send_schedule_is_default=BOOL,
        send_schedule_time_zone=TEXT, send_schedule_skip_us_holidays=BOOL,
        send_schedule_send_days=JSON, send_schedule_excluded_dates=JSON,
        sequence_ruleset_id=TEXT, sequence_ruleset_name=TEXT, sequence_ruleset_is_default=BOOL,
        sequence_ruleset_automatic_enrollment_task_assignment=TEXT,
        sequence_ruleset_automatic_enrollment_task_assignment_user_id=TEXT,
        sequence_ruleset_manual_enrollment_task_assignment=TEXT,
        sequence_ruleset_manual_enrollment_task_assignment_user_id=TEXT,
        sequence_ruleset_opt_out_message=TEXT,
        sequence_ruleset_allow_same_sequence_reenrollment=BOOL,
        sequence_ruleset_block_reenrollment_value=INT,
        sequence_ruleset_block_reenrollment_units=TEXT,
    ),
    "sequence_steps": _columns(
        id=ID, sequence_id=TEXT, position=INT, key=TEXT, type=TEXT, version_number=INT,
        created_at=TS, updated_at=TS, parent_step_id=TEXT, dependencies=JSON,
        is_root_message=BOOL, subject=TEXT, fallback_subject=TEXT, body=TEXT,
        cc_recipients=JSON, bcc_recipients=JSON, task_priority=TEXT, auto_skip_on_due_date=BOOL,
        relative_due_at_num_units=DOUBLE, relative_due_at_unit=TEXT,
        note_content=TEXT,
    ),
    "persons": _columns(id=ID, email=TEXT, first_name=TEXT, last_name=TEXT, linkedin_url=TEXT),
    "mailboxes": _columns(
        id=ID, email=TEXT, display_name=TEXT, is_paused=BOOL, is_unauthorized=BOOL
    ),
    "plays": _columns(id=ID, name=TEXT),
    "reply_email_messages": _columns(id=ID, subject=TEXT, received_at=TS, enrollment_id=TEXT),
    "reply_email_classifications": _columns(id=ID, category=TEXT, reply_email_message_id=TEXT),
}  # fmt: skip
