"""Constants of the Unify source: endpoints, defaults, and the tables' column contracts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sources.common.retries import RetryPolicy
from sources.common.tables import BOOL, DOUBLE, ID, INT, JSON, TEXT, TS, Tables
from sources.common.tables import columns as _columns
from sources.common.values import DocumentedValues

DEFAULT_BASE_URL = "https://api.unifygtm.com/sequences/v1"
KEY_SETTING = "SOURCES__UNIFY__API_KEY (or [sources.unify] api_key)"
BASE_SETTING = f"SOURCES__UNIFY__BASE_URL (the API's is {DEFAULT_BASE_URL})"
PAGE_LIMIT = 100  # the API's maximum
CLOCK_SKEW_SECONDS = 60.0  # upper bound margin when the API sends no Date header
WINDOWS_PER_WORKER = 4  # more windows than workers: equal-time windows hold unequal rows
MIN_WINDOW = timedelta(minutes=10)  # a range shorter than this a window is not split
# Enrollments per Arrow batch handed to dlt: dlt's schema work per item, not the rows, is what
# costs (a 100,000 list backfill: 5.4 s at 2,000, 4.6 s at 10,000, no better at 25,000).
BATCH_ROWS = 10_000
SOURCE_NAME = "unify"  # dlt source and config section
RETRY = RetryPolicy()  # the shared defaults: 6 attempts from 0.5 s
# "The Sequences API is rate-limited to 100,000 requests per five minute window."
RATE_LIMIT = (100_000, 300)

ENROLLMENT_FLAGS = (
    "is_blocked", "is_bounced", "is_canceled", "is_excluded", "is_opted_out", "is_paused",
    "is_replied",
)  # fmt: skip
# A mailbox's users (SequenceMailbox), each a SequenceUser of these fields; mailbox_routing holds
# them as `<user>_<field>`.
MAILBOX_USERS = ("user", "secondary_forward_to_user")
USER_FIELDS = ("id", "email", "first_name", "last_name")

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
    # Every version of an enrollment's status and flags the connector has seen, keyed by
    # (enrollment_id, updated_at): the API keeps only the current state.
    "enrollment_history": _columns(
        enrollment_id=ID, updated_at=TS | {"nullable": False}, status=TEXT,
        **{flag: BOOL for flag in ENROLLMENT_FLAGS}, started_at=TS, ended_at=TS,
    ),
    # From the Bulk API (query jobs) only:
    "enrollment_steps": _columns(
        id=ID, updated_at=TS | {"dedup_sort": "desc"}, enrollment_id=TEXT, sequence_id=TEXT,
        sequence_version=INT, step_number=INT, type=TEXT, status=TEXT,
        **{flag: BOOL for flag in ENROLLMENT_FLAGS if flag != "is_excluded"},
        started_at=TS, ended_at=TS, email_message_id=TEXT, email_subject=TEXT, sent_at=TS,
        from_email_address=TEXT, opens=INT, clicks=INT, email_is_bounced=BOOL,
        email_is_opted_out=BOOL, reply_email_message_id=TEXT,
    ),
    "companies": _columns(id=ID, name=TEXT, domain=TEXT, linkedin_url=TEXT),
    # Fields one API shape carries and the other lacks live in tables of their own, written
    # only by the shape that has them, so that the other never blanks them on merge.
    "company_descriptions": _columns(company_id=ID, description=TEXT),
    "person_companies": _columns(person_id=ID, company_id=TEXT),
    "mailbox_routing": _columns(
        mailbox_id=ID, email_address=TEXT, forward_to_email_address=TEXT,
        secondary_forward_to_email_address=TEXT, user_id=TEXT, user_email=TEXT,
        user_first_name=TEXT, user_last_name=TEXT, secondary_forward_to_user_id=TEXT,
        secondary_forward_to_user_email=TEXT, secondary_forward_to_user_first_name=TEXT,
        secondary_forward_to_user_last_name=TEXT,
    ),
}  # fmt: skip
KEYS: dict[str, str | list[str]] = {
    "company_descriptions": "company_id", "person_companies": "person_id",
    "mailbox_routing": "mailbox_id", "enrollment_history": ["enrollment_id", "updated_at"],
}  # fmt: skip
UNIFY_TABLES = Tables(TABLES, KEYS)
HISTORY_FIELDS = ("updated_at", "status", *ENROLLMENT_FLAGS, "started_at", "ended_at")


# The values the models interpret, as Unify's document lists them (sources.common.values)
DOCUMENTED_VALUES = (
    DocumentedValues(
        "reply_email_classifications",
        "category",
        ("AUTOMATED", "NEGATIVE", "NEUTRAL", "POSITIVE"),
        "ReplyEmailClassificationCategory",
        "not counted as a positive reply",
    ),
)
