"""List endpoint pages read straight into Arrow give exactly the tables the row-by-row path gives,
and a body the documented shape does not hold is parsed as JSON and read row by row."""

from __future__ import annotations

import httpx
import orjson
import pyarrow as pa
import pytest

from sources.common.http import ApiClient
from sources.unify import sequence_rows
from sources.unify.enrollment_rows import list_enrollment_tables
from sources.unify.list_pages import embedded_sequences, list_page_tables, read_list_page
from tests.support.shapes import variant
from tests.unify.test_bulk_pages import assert_same_tables
from tests.unify.test_normalize import ENROLLMENT


def _page(*enrollments: dict, cursor: str | None = None) -> bytes:
    return orjson.dumps({"enrollments": list(enrollments), "next_cursor": cursor})


def _variant(**changes) -> dict:
    return variant(ENROLLMENT, **changes)


def _both(content: bytes) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    body = read_list_page(content)
    assert body is not None, "read by Arrow"
    rows = orjson.loads(content)["enrollments"]
    assert embedded_sequences(body["enrollments"]) == sequence_rows.embedded_sequences(rows)
    return list_page_tables(body["enrollments"]), list_enrollment_tables(rows)


def test_every_sandbox_list_page_gives_the_same_tables_both_ways(unify):
    server = unify(enrollments=1500, seed=11)
    arrays, rows, cursor, pages = [], [], None, 0
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        content = server.client.get("/enrollments", params=params).content
        assert_same_tables(*_both(content))
        body = read_list_page(content)
        assert body is not None and body["next_cursor"] == orjson.loads(content)["next_cursor"]
        arrays.append(body["enrollments"])
        rows += orjson.loads(content)["enrollments"]
        pages, cursor = pages + 1, body["next_cursor"]
        if not cursor:
            break
    assert pages == 15
    # many pages at once, as a batch goes to dlt: repeats across pages are kept once
    together = list_page_tables(pa.chunked_array(arrays))
    assert_same_tables(together, list_enrollment_tables(rows))
    assert together["persons"].num_rows < together["enrollments"].num_rows == 1500
    assert together["reply_email_classifications"].num_rows


@pytest.mark.parametrize(
    "enrollments",
    [
        # nothing optional: no play, no reply, instants and names null, optional fields absent
        [
            _variant(
                reply_email_message=None,
                started_at=None,
                person__first_name=None,
                mailbox__display_name=...,
                ended_at=...,
                is_excluded=...,
            )
        ],
        # empty objects count as none, as the row path takes them; a reply without classes
        [
            _variant(enrolled_by_play={}, reply_email_message={}),
            _variant(id="e2", reply_email_message__classifications=None),
            _variant(
                id="e3",
                reply_email_message={
                    "id": "r3",
                    "subject": "Re",
                    "received_at": "2023-11-07T05:31:56Z",
                    "classifications": [],
                },
            ),
        ],
        # a person, a mailbox, a reply, a class and an enrollment seen twice: each row where
        # first seen, as last seen; both versions of the enrollment kept
        [
            _variant(enrolled_by_play={"id": "pl1", "name": "Inbound"}),
            _variant(id="e2", person__last_name="Other", mailbox__is_paused=True),
            _variant(
                updated_at="2023-11-08T00:00:00Z",
                status="IN_PROGRESS",
                reply_email_message__classifications=[
                    {"id": "c1", "category": "NEUTRAL"},
                    {"id": "c2", "category": "OOO"},
                ],
            ),
        ],
        # instants Arrow's own parser refuses (lowercase z, nanoseconds)
        [_variant(updated_at="2023-11-07T05:31:56.123456789z")],
        [],
    ],
    ids=["nulls and absent fields", "empty objects", "repeats", "odd instants", "no rows"],
)
def test_list_pages_of_every_documented_shape_give_the_same_tables(enrollments):
    assert_same_tables(*_both(_page(*enrollments)))


def test_a_pretty_printed_page_is_read_by_arrow():
    content = orjson.dumps(orjson.loads(_page(ENROLLMENT, cursor="c2")), option=orjson.OPT_INDENT_2)
    body = read_list_page(content)
    assert body is not None and body["next_cursor"] == "c2" and len(body["enrollments"]) == 1


@pytest.mark.parametrize(
    ("content", "new_column"),
    [
        (_page(_variant(score=5)), ("enrollments", "score")),
        (_page(_variant(person__title="CEO")), ("persons", "title")),
        (
            _page(
                _variant(
                    reply_email_message__classifications=[
                        {"id": "c9", "category": "X", "confidence": 0.9}
                    ]
                )
            ),
            ("reply_email_classifications", "confidence"),
        ),
        (_page(_variant(status=5)), None),  # a value of another type
        (orjson.dumps({"enrollments": [ENROLLMENT], "next_cursor": None, "total": 1}), None),
        (orjson.dumps({"enrollments": None, "next_cursor": None}), None),
        (orjson.dumps([ENROLLMENT]), None),  # not an object
        (b'{"enrollments": [', None),  # cut short
    ],
    ids=[
        "new field",
        "new nested field",
        "new field in a list",
        "other type",
        "new top-level",
        "null list",
        "not an object",
        "cut short",
    ],
)
def test_a_body_the_documented_shape_does_not_hold_is_left_to_the_row_path(content, new_column):
    assert read_list_page(content) is None
    if new_column is not None:  # what the row path makes of it, and the Arrow path could not
        table, column = new_column
        rows = orjson.loads(content)["enrollments"]
        assert column in list_enrollment_tables(rows)[table].column_names


def test_the_client_parses_a_body_its_reader_leaves_as_json():
    answers = iter([_page(ENROLLMENT, cursor="c2"), _page(_variant(score=5))])

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=next(answers))

    client = ApiClient("http://127.0.0.1:9", vendor="Unify", auth_headers={}, key_setting="KEY",
                       base_setting="URL", transport=httpx.MockTransport(respond))  # fmt: skip
    with client:
        arrow_body = client.get("/enrollments", read=read_list_page).body
        json_body = client.get("/enrollments", read=read_list_page).body
    assert isinstance(arrow_body["enrollments"], pa.Array) and arrow_body["next_cursor"] == "c2"
    assert json_body["enrollments"][0]["score"] == 5 and json_body["next_cursor"] is None
