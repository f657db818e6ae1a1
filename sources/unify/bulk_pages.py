"""Bulk API result pages read straight into Arrow, and their tables taken apart column by column.

A query job's results come in pages of NDJSON rows (docs/vendors/unify.md, Bulk API). Parsed into
Python dicts and walked row by row, the ~470,000 step rows of a 100,000-enrollment workspace cost
most of a first load's time and memory. Arrow's JSON reader parses a page against the documented
row shape instead (`SequenceEnrollmentStep`, `SequenceEnrollment` in the OpenAPI document), and
the tables come from its columns.

The fast path never changes what is loaded: a page the documented shape does not hold exactly —
a field the document does not name (at any depth), a value of another type — is read as a list
of dicts and normalised row by row (step_rows, enrollment_rows), which types new fields as
`sources.common.drift` does. tests/unify/test_bulk_pages.py checks that both give equal tables.
Pure: bytes in, tables out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sources.common import arrow
from sources.common.arrow import response_struct
from sources.common.bodies import ndjson_rows
from sources.unify.settings import (
    ENROLLMENT_FLAGS,
    MAILBOX_USERS,
    TABLES,
    UNIFY_TABLES,
    USER_FIELDS,
)


def _fields(table: str, *columns: str, **renamed: str) -> list[pa.Field]:
    """Fields of a bulk row, typed by the contract of the table they fill: `columns` named as
    there, `renamed` as `field=column` where the row names one otherwise."""
    wanted = {**{c: c for c in columns}, **renamed}
    typed = response_struct(TABLES[table], *wanted.values())
    return [pa.field(name, typed.field(column).type) for name, column in wanted.items()]


# The documented row shapes (`SequenceEnrollmentStep`, `SequenceEnrollment`), from the table
# contracts their fields fill: no shape is written twice.
_FLAGS = [f for f in ENROLLMENT_FLAGS if f != "is_excluded"]  # not in bulk rows
_USER = pa.struct(_fields("mailbox_routing", **{f: f"user_{f}" for f in USER_FIELDS}))
_ROUTES = ("email_address", "forward_to_email_address", "secondary_forward_to_email_address")
_MAILBOX = pa.struct([
    *_fields("mailbox_routing", id="mailbox_id", **{r: r for r in _ROUTES}),
    *(pa.field(u, _USER) for u in MAILBOX_USERS),
])  # fmt: skip
_COMPANY = pa.struct([*_fields("companies", "id", "name", "domain"),
                      *_fields("company_descriptions", "description"),
                      *_fields("companies", "linkedin_url")])  # fmt: skip
_PERSON = response_struct(TABLES["persons"], company=_COMPANY)
_CLASSIFICATION = response_struct(TABLES["reply_email_classifications"], "id", "category")
_REPLY = response_struct(TABLES["reply_email_messages"], "id", "subject",
                         classifications=pa.list_(_CLASSIFICATION))  # fmt: skip
_SEQUENCE = _fields("sequences", "id", "name")
_VERSION = _fields("enrollment_steps", version="sequence_version")
STEP_SCHEMA = pa.schema([
    *_fields("enrollment_steps", "id", "updated_at", "type", "status", *_FLAGS),
    pa.field("sequence", pa.struct([*_SEQUENCE, *_VERSION])),
    *_fields("enrollment_steps", "step_number", "started_at", "ended_at"),
    pa.field("enrollment", pa.struct([*_fields("enrollments", "id"), pa.field("mailbox", _MAILBOX),
                                      pa.field("person", _PERSON)])),
    pa.field("email_message", pa.struct(_fields(
        "enrollment_steps", id="email_message_id", subject="email_subject", sent_at="sent_at",
        from_email_address="from_email_address", is_bounced="email_is_bounced",
        is_opted_out="email_is_opted_out", clicks="clicks", opens="opens",
    ))),
    pa.field("reply_email_message", _REPLY),
])  # fmt: skip
ENROLLMENT_SCHEMA = pa.schema([
    *_fields("enrollments", "id", "updated_at", "status", *_FLAGS),
    *_VERSION, *_fields("enrollments", "started_at", "ended_at"),
    pa.field("sequence", pa.struct(_SEQUENCE)), pa.field("mailbox", _MAILBOX),
    pa.field("person", _PERSON), pa.field("enrolled_by_play", response_struct(TABLES["plays"])),
    pa.field("reply_email_message", _REPLY),
])  # fmt: skip
# A `description` key: only a company's (the schema holds no other). A string is never followed
# by a colon unless it is a key, and quotes inside strings are escaped, so this counts keys only.
_DESCRIPTION_KEY = re.compile(rb'"description"\s*:')


@dataclass(frozen=True)
class BulkPage:
    """A results page as Arrow. `described`: its companies carry `description` (every one of
    them; in a page where only some do, key and null cannot be told apart, so it is read row
    by row)."""

    table: pa.Table
    described: bool

    def __len__(self) -> int:
        return self.table.num_rows


ResultsPage = BulkPage | list[dict[str, Any]]  # a page of the documented shape, or not


def _reader(schema: pa.Schema, person: tuple[str, ...]) -> Callable[[bytes], ResultsPage]:
    def read(content: bytes) -> ResultsPage:
        table = arrow.read_ndjson(content, schema)
        if table is None:
            return ndjson_rows(content)
        companies = pc.sum(pc.is_valid(arrow.nested(table[person[0]], *person[1:], "company")))
        keys = len(_DESCRIPTION_KEY.findall(content))
        if keys not in (0, companies.as_py() or 0):
            return ndjson_rows(content)
        return BulkPage(table, described=keys > 0)

    return read


read_step_page = _reader(STEP_SCHEMA, ("enrollment", "person"))
read_enrollment_page = _reader(ENROLLMENT_SCHEMA, ("person",))


def person_and_mailbox_tables(person: Any, mailbox: Any, described: bool) -> dict[str, pa.Table]:
    """What a bulk person and mailbox carry that the list endpoint lacks, as
    `UnifyRows.person_and_mailbox` gives it: companies (and their descriptions), each person's
    company, each mailbox's routing; one row per key, the last seen."""
    company = arrow.nested(person, "company")
    company_id = arrow.nested(company, "id")
    firms = pa.table(arrow.children(company, _COMPANY))
    firms = firms.filter(pc.is_valid(company_id))
    out = {
        "companies": UNIFY_TABLES.typed("companies", {n: firms[n] for n in firms.column_names}),
        "person_companies": UNIFY_TABLES.typed("person_companies", {
            "person_id": arrow.nested(person, "id"), "company_id": company_id}),
    }  # fmt: skip
    if described:
        out["company_descriptions"] = UNIFY_TABLES.typed("company_descriptions", {
            "company_id": firms["id"], "description": firms["description"]})  # fmt: skip
    routing = {n: c for n, c in arrow.children(mailbox, _MAILBOX).items() if n not in MAILBOX_USERS}
    routing["mailbox_id"] = routing.pop("id")
    for prefix in MAILBOX_USERS:
        for name in USER_FIELDS:
            routing[f"{prefix}_{name}"] = arrow.nested(mailbox, prefix, name)
    out["mailbox_routing"] = UNIFY_TABLES.typed("mailbox_routing", routing)
    return {t: arrow.last_per_key(rows, str(UNIFY_TABLES.key(t))) for t, rows in out.items()
            if rows.num_rows}  # fmt: skip


def step_page_tables(page: BulkPage) -> dict[str, pa.Table]:
    """A page of `SequenceEnrollmentStep` rows as `step_rows.step_tables` gives them."""
    t = page.table
    if not t.num_rows:
        return {}
    email = t["email_message"]
    columns = {name: t[name] for name in t.column_names}
    columns |= {
        "enrollment_id": arrow.nested(t["enrollment"], "id"),
        "sequence_id": arrow.nested(t["sequence"], "id"),
        "sequence_version": arrow.nested(t["sequence"], "version"),
        "email_message_id": arrow.nested(email, "id"),
        "email_subject": arrow.nested(email, "subject"),
        "sent_at": arrow.nested(email, "sent_at"),
        "from_email_address": arrow.nested(email, "from_email_address"),
        "opens": arrow.nested(email, "opens"), "clicks": arrow.nested(email, "clicks"),
        "email_is_bounced": arrow.nested(email, "is_bounced"),
        "email_is_opted_out": arrow.nested(email, "is_opted_out"),
        "reply_email_message_id": arrow.nested(t["reply_email_message"], "id"),
    }  # fmt: skip
    steps = {
        "enrollment_steps": arrow.last_per_key(
            UNIFY_TABLES.typed("enrollment_steps", columns), "id"
        )
    }
    enrollment = t["enrollment"]
    return steps | person_and_mailbox_tables(
        arrow.nested(enrollment, "person"), arrow.nested(enrollment, "mailbox"), page.described
    )


def enrollment_page_tables(page: BulkPage) -> dict[str, pa.Table]:
    """A page of `SequenceEnrollment` rows as `enrollment_rows.bulk_only_tables` gives them."""
    if not page.table.num_rows:
        return {}
    return person_and_mailbox_tables(page.table["person"], page.table["mailbox"], page.described)
