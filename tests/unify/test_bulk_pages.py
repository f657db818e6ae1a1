"""Bulk API result pages read straight into Arrow give exactly the tables the row-by-row path
gives, and a page the documented shape does not hold is read row by row."""

from __future__ import annotations

import time

import orjson
import pyarrow as pa
import pytest

from sources.common.bodies import ndjson_rows
from sources.unify.bulk_pages import BulkPage, read_enrollment_page, read_step_page
from sources.unify.enrollment_rows import bulk_only_tables
from sources.unify.step_rows import step_tables
from tests.support.shapes import variant

KINDS = {
    "enrollment-steps": (read_step_page, step_tables),
    "enrollments": (read_enrollment_page, bulk_only_tables),
}
USER = {"id": "u1", "email": "u@x.co", "first_name": "Ann", "last_name": None}
MAILBOX = {"id": "m1", "email_address": "me@x.co", "forward_to_email_address": None,
           "secondary_forward_to_email_address": "fw@x.co", "user": USER,
           "secondary_forward_to_user": None}  # fmt: skip
COMPANY = {"id": "c1", "name": "Acme", "domain": "acme.co", "linkedin_url": None}
PERSON = {"id": "p1", "email": "a@acme.co", "first_name": None, "last_name": "Ø",
          "linkedin_url": None, "company": COMPANY}  # fmt: skip
STEP = {
    "id": "st1", "updated_at": "2026-06-06T11:57:09.143Z", "type": "AUTOMATIC_EMAIL",
    "status": "FINISHED", "is_blocked": False, "is_bounced": False, "is_canceled": False,
    "is_opted_out": False, "is_paused": False, "is_replied": True,
    "sequence": {"id": "s1", "name": "Q4", "version": 3}, "step_number": 1,
    "started_at": "2026-06-06T11:57:09Z", "ended_at": None,
    "enrollment": {"id": "e1", "mailbox": MAILBOX, "person": PERSON},
    "email_message": {"id": "em1", "subject": "Hi", "sent_at": "2026-06-06T11:57:09.5+02:00",
                      "from_email_address": "me@x.co", "is_bounced": False,
                      "is_opted_out": False, "clicks": 2, "opens": 5},
    "reply_email_message": {"id": "r1", "subject": None,
                            "classifications": [{"id": "k1", "category": "POSITIVE"}]},
}  # fmt: skip


def _ndjson(rows: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def _variant(**changes) -> dict:
    return variant(STEP, **changes)


def assert_same_tables(columnar: dict[str, pa.Table], by_row: dict[str, pa.Table]) -> None:
    assert sorted(columnar) == sorted(by_row)
    for name, table in by_row.items():
        assert columnar[name].schema.equals(table.schema, check_metadata=True), name
        assert columnar[name].equals(table), (name, columnar[name].to_pylist(), table.to_pylist())


def _both(kind: str, content: bytes) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    read, normalise = KINDS[kind]
    page = read(content)
    assert isinstance(page, BulkPage)
    return normalise(page), normalise(ndjson_rows(content))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_sandbox_results_page_gives_the_same_tables_both_ways(unify, kind):
    server = unify(enrollments=1500, seed=11)
    job_id = server.client.post(f"/{kind}/query-jobs").json()["job_id"]
    deadline = time.monotonic() + 10
    while server.client.get(f"/{kind}/query-jobs/{job_id}").json()["status"] != "FINISHED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    pages = 0
    for number in range(1, 10):
        answer = server.client.get(
            f"/{kind}/query-jobs/{job_id}/results",
            params={"page": number, "page_size": 1000},
            headers={"accept": "application/x-ndjson"},
        )
        if not answer.content:
            break
        columnar, by_row = _both(kind, answer.content)
        assert_same_tables(columnar, by_row)
        assert by_row["person_companies"].num_rows and by_row["mailbox_routing"].num_rows
        pages += 1
    assert pages >= 2


@pytest.mark.parametrize(
    "rows",
    [
        # nothing optional: no email, no reply, no company, no users, fields absent
        [
            _variant(
                email_message=None,
                reply_email_message=None,
                enrollment__person__company=None,
                enrollment__mailbox__user=None,
                type=...,
                step_number=...,
                ended_at=...,
            )
        ],
        # empty objects count as none, as the row path takes them
        [_variant(reply_email_message={}, email_message={}, enrollment__person__company={})],
        # a step, a person and a mailbox seen twice: each where first seen, as last seen
        [
            STEP,
            _variant(id="st2", enrollment__person__company=None),
            _variant(
                status="ACTIVE",
                enrollment__mailbox__email_address="new@x.co",
                enrollment__person__company={**COMPANY, "name": "Acme Inc"},
            ),
        ],
        # instants Arrow's own parser refuses (lowercase z, nanoseconds)
        [_variant(updated_at="2026-06-06T11:57:09.123456789z")],
    ],
    ids=["nulls and absent fields", "empty objects", "repeats", "odd instants"],
)
def test_step_pages_of_every_documented_shape_give_the_same_tables(rows):
    assert_same_tables(*_both("enrollment-steps", _ndjson(rows)))


def test_a_company_named_description_is_not_taken_for_a_description():
    named = {**PERSON, "company": {**COMPANY, "name": "description"}}
    content = _ndjson([_variant(enrollment__person=named)])
    page = read_step_page(content)
    assert isinstance(page, BulkPage) and not page.described
    assert_same_tables(*_both("enrollment-steps", content))


def test_a_page_whose_companies_all_carry_descriptions_gives_their_rows_both_ways():
    described = {**PERSON, "company": {**COMPANY, "description": None}}
    row = {"id": "e1", "person": described, "mailbox": MAILBOX}
    columnar, by_row = _both("enrollments", _ndjson([row, {**row, "person": PERSON | {"id": "p2",
                             "company": None}}]))  # fmt: skip
    assert_same_tables(columnar, by_row)
    assert by_row["company_descriptions"].to_pylist() == [{"company_id": "c1", "description": None}]


@pytest.mark.parametrize(
    ("rows", "table", "new_column"),
    [
        ([_variant(is_excluded=False)], "enrollment_steps", "is_excluded"),
        ([_variant(enrollment__mailbox__region="eu")], "mailbox_routing", "region"),
        ([_variant(sequence__name=5)], None, None),  # a value of another type
        (
            [
                _variant(enrollment__person__company={**COMPANY, "description": "x"}),
                _variant(id="st2", enrollment__person__id="p2"),
            ],
            "company_descriptions",
            None,
        ),
    ],
    ids=["new field", "new nested field", "other type", "some companies described"],
)
def test_a_page_the_documented_shape_does_not_hold_is_read_row_by_row(rows, table, new_column):
    content = _ndjson(rows)
    page = read_step_page(content)
    assert page == ndjson_rows(content)
    tables = step_tables(page)
    assert tables["enrollment_steps"].num_rows == len(rows)
    if table is not None:  # what the row path makes of it, and the Arrow path could not
        assert table in tables and (new_column is None or new_column in tables[table].column_names)
