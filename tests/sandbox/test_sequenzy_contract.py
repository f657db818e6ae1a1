"""The Sequenzy sandbox against the document it serves (written by this project: the vendor
publishes none), checked by schemathesis on every operation the document lists."""

from __future__ import annotations

from pathlib import Path

import orjson

from sandbox.sequenzy import DEFAULT_API_KEY, SequenzySandbox
from tests.support.contract import run_schemathesis

DOCUMENT = Path(__file__).resolve().parents[2] / "sandbox" / "sequenzy" / "openapi.json"


def test_the_document_says_it_is_ours_and_lists_what_is_served():
    document = orjson.loads(DOCUMENT.read_bytes())
    assert document["info"]["x-written-by"] == "sequence-funnel"
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operations == {"listSequences", "getSequence", "listSequenceEnrollments",
                          "listSubscribers", "getSequenceStats", "listSequenceEvents",
                          "cancelSequenceEnrollments", "enrollSubscribersInSequence",
                          "disableSequence", "enableSequence", "pauseSequenceEnrollments",
                          "resumeSequenceEnrollments"}  # fmt: skip


def test_schemathesis_finds_no_response_outside_the_document(tmp_path):
    sandbox = SequenzySandbox.create(enrollments=600, frozen_clock=True, rate_limits=())
    with sandbox.serve() as url:
        tested, _ = run_schemathesis(
            DOCUMENT, url, f"Authorization: Bearer {DEFAULT_API_KEY}", tmp_path,
            "examples,coverage,fuzzing", [],
        )  # fmt: skip
    assert tested == 12
