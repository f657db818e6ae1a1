"""The vendors' references as the judges of fields, both ways: every column a source writes comes
from a field its vendor's reference names (or is the source's own, said why), and what each
sandbox sends is only what its reference names. Built to the vendors' documents, never to a
sandbox's quirks: a field only our sandbox sends would pass every other test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from sandbox.instantly import DEFAULT_API_KEY as INSTANTLY_KEY
from sandbox.instantly import InstantlySandbox
from sandbox.instantly import app as instantly_app
from sandbox.unify import DEFAULT_API_KEY as UNIFY_KEY
from sandbox.unify import UnifySandbox
from sources.instantly.settings import INSTANTLY_TABLES
from sources.sequenzy.settings import SEQUENZY_TABLES
from sources.unify.settings import UNIFY_TABLES
from tests.support.reference import field_names, undocumented

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
TABLES = {"unify": UNIFY_TABLES, "instantly": INSTANTLY_TABLES, "sequenzy": SEQUENZY_TABLES}
# Columns the sources make themselves: bookkeeping of merges and deletes, and the day of a
# snapshot; and Instantly's readable labels beside its numeric codes.
OWN = {"is_deleted", "removed", "restored", "deleted_at", "loaded_at", "date"}
# A column named other than its field's flattened path: (vendor, table, column) -> that path.
RENAMED = {
    ("unify", "sequences", "send_schedule_time_zone"): "send_schedule_rules_time_zone",
    ("unify", "sequences", "send_schedule_skip_us_holidays"): "rules_skip_us_holidays",
    ("unify", "sequences", "send_schedule_send_days"): "rules_send_days",
    ("unify", "sequences", "send_schedule_excluded_dates"): "rules_excluded_dates",
    ("unify", "sequence_steps", "relative_due_at_num_units"): "relative_due_at_num_units_of_time",
    ("unify", "sequence_steps", "relative_due_at_unit"): "relative_due_at_unit_of_time",
    ("unify", "enrollment_steps", "email_subject"): "email_message_subject",
    ("unify", "enrollment_steps", "email_is_bounced"): "email_message_is_bounced",
    ("unify", "enrollment_steps", "email_is_opted_out"): "email_message_is_opted_out",
    ("sequenzy", "sequence_metrics", "active_enrollments"): "enrollment_counts_active",
    ("sequenzy", "sequence_metrics", "waiting_enrollments"): "enrollment_counts_waiting",
    ("sequenzy", "sequence_metrics", "live_enrollments"): "enrollment_counts_total",
    ("sequenzy", "sequence_metrics", "paused_enrollments"): "paused_enrollments_total",
    ("sequenzy", "sequence_metrics", "skipped_enrollments"): "enrollment_skipped_count",
    ("sequenzy", "sequence_metrics", "skipped_unsubscribed"): "enrollment_skipped_by_reason",
    ("sequenzy", "sequence_metrics", "skipped_bounced"): "enrollment_skipped_by_reason",
}
# Columns the source computes from documented fields (what it is computed from)
# A lead's `payload`: "Lead custom variables. This object can contain any key" (the document)
INSTANTLY_OPEN = frozenset({"payload"})
COMPUTED = {
    ("unify", "sequence_steps", "position"): "the order `GET /sequences/{id}/steps` lists",
    ("instantly", "emails", "step_index"): "`step` as a zero-based number",
}


def _document(vendor: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((SANDBOX / vendor / "openapi.json").read_bytes())
    return document


@pytest.mark.parametrize("vendor", sorted(TABLES))
def test_every_column_a_source_writes_is_a_field_its_vendor_documents(vendor):
    names = field_names(_document(vendor))
    unknown = []
    for table, columns in TABLES[vendor].contracts.items():
        for column in columns:
            key = (vendor, table, column)
            if column in OWN or column.endswith("_label") or key in COMPUTED:
                continue
            if RENAMED.get(key, column) not in names:
                unknown.append(f"{table}.{column}")
    assert not unknown, f"{vendor}: columns from fields its reference does not name: {unknown}"


def test_the_instantly_sandbox_sends_only_what_the_vendor_documents():
    document = _document("instantly")
    sandbox = InstantlySandbox.create(campaigns=6, accounts=4, leads=300, frozen_clock=True)
    found: list[str] = []
    with sandbox.serve() as url:
        base = InstantlySandbox.base_url(url)
        headers = {"authorization": f"Bearer {INSTANTLY_KEY}"}
        world = sandbox.state.world
        ids = {"id": world.campaigns[0]["id"], "email": world.accounts[0]["email"]}
        leads = httpx.post(base + "/leads/list", json={"limit": 100}, headers=headers).json()
        emails = httpx.get(base + "/emails", params={"limit": 20}, headers=headers).json()
        entry = httpx.post(base + "/block-lists-entries", json={"bl_value": "example.org"},
                           headers=headers).json()  # fmt: skip
        hook = httpx.post(base + "/webhooks", json={"target_hook_url": "https://a.example/h"},
                          headers=headers).json()  # fmt: skip
        for method, path in instantly_app.SERVED:
            if method != "get":
                continue
            concrete = path.format(**ids)
            if path == "/subsequences/{id}":
                concrete = f"/subsequences/{world.subsequences[0]['id']}"
            elif path == "/leads/{id}":
                concrete = f"/leads/{leads['items'][0]['id']}"
            elif path == "/emails/{id}":
                concrete = f"/emails/{emails['items'][0]['id']}"
            elif path == "/block-lists-entries/{id}":
                concrete = f"/block-lists-entries/{entry['id']}"
            elif path == "/webhooks/{id}":
                concrete = f"/webhooks/{hook['id']}"
            params = ({"parent_campaign": ids["id"]} if path == "/subsequences" else
                      {"campaign_id": ids["id"]} if path == "/subsequences/analytics" else {})  # fmt: skip
            answer = httpx.get(base + concrete, params=params, headers=headers)
            assert answer.status_code == 200, (path, answer.text)
            schema = document["paths"]["/api/v2" + path]["get"]["responses"]["200"]
            found += undocumented(document, schema["content"]["application/json"]["schema"],
                                  answer.json(), path, INSTANTLY_OPEN)  # fmt: skip
        schema = document["paths"]["/api/v2/leads/list"]["post"]["responses"]["200"]
        found += undocumented(document, schema["content"]["application/json"]["schema"], leads,
                              "/leads/list", INSTANTLY_OPEN)  # fmt: skip
    assert not found, found


def test_the_unify_sandbox_sends_only_what_the_vendor_documents():
    document = _document("unify")
    sandbox = UnifySandbox.create(enrollments=300, seed=7)
    found: list[str] = []
    with sandbox.serve() as url:
        base = UnifySandbox.base_url(url)
        headers = {"x-api-key": UNIFY_KEY}
        listed = httpx.get(base + "/enrollments", params={"limit": 100}, headers=headers).json()
        first = listed["enrollments"][0]
        sequence = first["sequence"]["id"]
        for path in ("/enrollments", "/sequences", f"/sequences/{sequence}",
                     f"/sequences/{sequence}/steps", f"/enrollments/{first['id']}"):  # fmt: skip
            answer = httpx.get(base + path, headers=headers)
            assert answer.status_code == 200, (path, answer.text)
            template = path.replace(sequence, "{id}").replace(first["id"], "{id}")
            operation = _operation(document, template)
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            found += undocumented(document, schema, answer.json(), path)
    assert not found, found


def _operation(document: dict[str, Any], template: str) -> dict[str, Any]:
    """The GET operation at `template` under the API's prefix, whatever its parameters are
    named."""
    wanted = "/sequences/v1" + re.sub(r"\{[^}]+\}", "{}", template)
    found = [item["get"] for path, item in document["paths"].items()
             if re.sub(r"\{[^}]+\}", "{}", path) == wanted]  # fmt: skip
    return dict(found[0])


def test_the_unify_bulk_results_carry_only_what_the_vendor_documents(unify):
    """Both kinds of query job: each result row is the document's `SequenceEnrollment` or
    `SequenceEnrollmentStep`, and nothing more."""
    from tests.sandbox.test_unify_jobs import NDJSON, _finished

    document = _document("unify")
    server = unify(enrollments=300)
    server.sandbox.jobs.ready_after = 0.0
    found: list[str] = []
    for kind, schema in (("enrollments", "SequenceEnrollment"),
                         ("enrollment-steps", "SequenceEnrollmentStep")):  # fmt: skip
        job = _finished(server, kind)
        page = server.client.get(f"/{kind}/query-jobs/{job}/results",
                                 params={"page": 1, "page_size": 500}, headers=NDJSON)  # fmt: skip
        rows = [orjson.loads(line) for line in page.content.splitlines()]
        assert rows
        ref = {"$ref": f"#/components/schemas/{schema}"}
        found += [
            e
            for k, row in enumerate(rows)
            for e in undocumented(document, ref, row, f"{kind}[{k}]")
        ]
    assert not found, found[:10]
