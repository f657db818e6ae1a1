"""Normalisation and instants: pure functions, checked on the vendor's own example shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sources.common import arrow
from sources.common.errors import ConfigurationError
from sources.common.instants import format_instant, parse_instant, parse_since
from sources.unify import sequence_rows
from sources.unify.enrollment_rows import list_enrollment_tables

ENROLLMENT = {
    "id": "e1", "created_at": "2023-11-07T05:31:56Z", "updated_at": "2023-11-07T07:31:56.5+02:00",
    "sequence": {"id": "s1", "name": "Q4", "is_paused": True},
    "person": {"id": "p1", "email": "a@b.co", "first_name": None, "last_name": "Ø",
               "linkedin_url": None},
    "mailbox": {"id": "m1", "email": "me@x.co", "display_name": None, "is_paused": False,
                "is_unauthorized": False},
    "enrolled_by_play": None,
    "reply_email_message": {"id": "r1", "subject": None, "received_at": None,
                            "classifications": [{"id": "c1", "category": "POSITIVE"}]},
    "status": "FINISHED", "is_blocked": False, "is_bounced": False, "is_canceled": False,
    "is_excluded": False, "is_opted_out": False, "is_paused": False, "is_replied": True,
    "started_at": None, "ended_at": "2023-11-08T00:00:00.123456789Z",
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-11-07T05:31:56Z", datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)),
        ("2023-11-07T07:31:56+02:00", datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)),
        ("2023-11-07T05:31:56.5z", datetime(2023, 11, 7, 5, 31, 56, 500000, tzinfo=UTC)),
        ("2023-11-07T05:31:56.123456789Z", datetime(2023, 11, 7, 5, 31, 56, 123456, tzinfo=UTC)),
        ("2023-11-06T23:01:56-0630", datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)),
    ],
)
def test_instants_are_parsed_not_compared_as_text(text, expected):
    assert parse_instant(text) == expected


def test_text_order_is_not_instant_order():
    early, late = "2023-11-07T06:00:00+02:00", "2023-11-07T05:00:00Z"
    assert early > late and parse_instant(early) < parse_instant(late)


def test_an_instant_without_offset_is_refused():
    with pytest.raises(ValueError):
        parse_instant("2023-11-07T05:31:56")


def test_format_round_trips():
    value = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert parse_instant(format_instant(value)) == value


def _rows(tables, name):
    return tables[name].to_pylist()


def test_an_enrollment_page_becomes_arrow_tables_of_every_table():
    tables = list_enrollment_tables([ENROLLMENT, ENROLLMENT | {"id": "e2"}])
    e = _rows(tables, "enrollments")[0]
    assert (e["sequence_id"], e["person_id"], e["mailbox_id"]) == ("s1", "p1", "m1")
    assert e["enrolled_by_play_id"] is None and e["reply_email_message_id"] == "r1"
    assert e["updated_at"] == datetime(2023, 11, 7, 5, 31, 56, 500000, tzinfo=UTC)
    assert e["ended_at"] == datetime(2023, 11, 8, 0, 0, 0, 123456, tzinfo=UTC)
    assert e["started_at"] is None  # a column null on every row still exists
    assert "sequence" not in e and "person" not in e
    assert _rows(tables, "persons") == [ENROLLMENT["person"]]  # deduplicated within the batch
    assert _rows(tables, "reply_email_messages") == [
        {"id": "r1", "subject": None, "received_at": None, "enrollment_id": "e2"}
    ]
    assert _rows(tables, "reply_email_classifications") == [
        {"id": "c1", "category": "POSITIVE", "reply_email_message_id": "r1"}
    ]
    assert "plays" not in tables
    assert str(tables["enrollments"].schema.field("created_at").type) == "timestamp[us, tz=UTC]"


def test_timestamps_arrow_refuses_are_parsed_exactly():
    values = ["2023-11-07T05:31:56.123456789z", None, "2023-11-07T07:31:56+02:00"]
    assert arrow.timestamps(values).to_pylist() == [
        datetime(2023, 11, 7, 5, 31, 56, 123456, tzinfo=UTC), None,
        datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC),
    ]  # fmt: skip


def test_fields_the_api_adds_later_pass_through():
    newer = ENROLLMENT | {"is_draft_approval_pending": True, "labels": ["a", {"b": 1}]}
    newer["person"] = ENROLLMENT["person"] | {"title": "CRO"}
    tables = list_enrollment_tables([newer])
    e = _rows(tables, "enrollments")[0]
    assert e["is_draft_approval_pending"] is True
    assert e["labels"] == '["a",{"b":1}]'  # mixed types arrive as JSON text
    assert _rows(tables, "persons")[0]["title"] == "CRO"


def test_embedded_sequences_by_id():
    assert sequence_rows.embedded_sequences([ENROLLMENT]) == {"s1": ENROLLMENT["sequence"]}


def test_a_sequence_row_flattens_owner_schedule_and_ruleset():
    sequence = {
        "id": "s1", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z",
        "owner": {"id": "u1", "email": "o@x.co", "first_name": "O", "last_name": None},
        "name": "Q4", "is_paused": False, "send_schedule": None,
        "sequence_ruleset": {"id": "r1", "name": "Default", "is_default": True,
                             "created_at": "2026-01-01T00:00:00Z", "block_reenrollment_value": None},
    }  # fmt: skip
    row = sequence_rows.sequence_row(sequence)
    assert row["owner_id"] == "u1" and row["send_schedule_id"] is None
    assert row["sequence_ruleset_name"] == "Default" and row["is_deleted"] is False
    assert "sequence_ruleset_created_at" not in row
    assert row["updated_at"] == datetime(2026, 1, 2, tzinfo=UTC)


def test_step_rows_keep_the_order_and_flatten_config():
    steps = [
        {"id": "t1", "key": "k1", "created_at": "2026-01-01T00:00:00Z",
         "updated_at": "2026-01-01T00:00:00Z", "sequence_id": "s1", "version_number": 2,
         "dependencies": [{"parent_step_id": None, "condition": None}], "type": "PHONE_CALL",
         "config": {"note_content": None, "task_priority": "HIGH", "auto_skip_on_due_date": True,
                    "relative_due_at": {"num_units_of_time": 2, "unit_of_time": "DAY"}}},
    ]  # fmt: skip
    (row,) = sequence_rows.step_rows(steps, first_position=3)
    assert row["position"] == 3 and row["parent_step_id"] is None
    assert (row["relative_due_at_num_units"], row["relative_due_at_unit"]) == (2, "DAY")
    assert row["task_priority"] == "HIGH" and "config" not in row


def test_since_accepts_dates_and_instants_and_refuses_the_rest():
    assert parse_since("2026-01-31", "since") == datetime(2026, 1, 31, tzinfo=UTC)
    assert parse_since("2026-01-31T10:00:00+01:00", "since") == datetime(2026, 1, 31, 9, tzinfo=UTC)
    assert parse_since(None, "since") is None
    with pytest.raises(ConfigurationError):
        parse_since("yesterday", "initial_updated_after")
