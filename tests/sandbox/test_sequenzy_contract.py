"""The Sequenzy sandbox against the document it serves, generated from the vendor's official
SDK (sandbox/sequenzy/reference.py), checked by schemathesis on every operation it lists."""

from __future__ import annotations

from pathlib import Path

import orjson

from sandbox.sequenzy import DEFAULT_API_KEY, SequenzySandbox, reference
from tests.support.contract import run_schemathesis

DOCUMENT = Path(__file__).resolve().parents[2] / "sandbox" / "sequenzy" / "openapi.json"


def test_the_document_is_the_sdks_for_every_operation_served():
    """Regenerating from the pinned SDK gives the committed document, byte for byte: nobody
    edited it by hand, and a new SDK pin shows up as a diff to review."""
    assert reference.render() == DOCUMENT.read_bytes()
    document = orjson.loads(DOCUMENT.read_bytes())
    assert document["info"]["x-generated-from"] == "sequenzy==2.1.35"
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operations == set(reference.OPERATIONS)


def test_schemathesis_finds_no_response_outside_the_document(tmp_path):
    sandbox = SequenzySandbox.create(enrollments=600, frozen_clock=True, rate_limits=())
    with sandbox.serve() as url:
        tested, _ = run_schemathesis(
            DOCUMENT, url, f"Authorization: Bearer {DEFAULT_API_KEY}", tmp_path,
            "examples,coverage,fuzzing", [],
        )  # fmt: skip
    assert tested == len(reference.OPERATIONS)
