"""Pages of one table given to dlt in batches (sources.common.tables.Batched): no row lost or
repeated, and a new field typed on an earlier page keeps that type on the next one, as it did
when dlt saw each page as it came."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from sources.common import drift
from sources.common.tables import ID, INT, Batched, Tables, columns

TABLES = Tables({"t": columns(id=ID, n=INT)})


def _data(items: list[Any]) -> list[pa.Table]:
    return [item.data for item in items]  # dlt's item with its hints


def test_pages_go_to_dlt_in_batches_of_at_least_the_rows_asked_and_none_is_lost() -> None:
    batched = Batched(TABLES, "t", 250)
    given: list[Any] = []
    for page in range(7):
        rows = [{"id": f"{page}-{k}", "n": k} for k in range(100)]
        given += batched.add(TABLES.arrow("t", rows))
    given += batched.flush()
    tables = _data(given)
    assert [t.num_rows for t in tables] == [300, 300, 100]
    ids = [i for t in tables for i in t["id"].to_pylist()]
    assert ids == [f"{page}-{k}" for page in range(7) for k in range(100)]
    assert list(batched.flush()) == []  # nothing held twice


def test_a_new_field_keeps_the_type_an_earlier_page_gave_it_while_that_page_is_held() -> None:
    batched = Batched(TABLES, "t", 1000)
    known = batched.known_types(lambda table: drift.nothing_known)("t")
    first = TABLES.arrow("t", [{"id": "1", "score": 5}], known)
    assert list(batched.add(first)) == []  # held
    second = TABLES.arrow("t", [{"id": "2", "score": "high"}], known)
    assert second.schema.field("score").type == pa.int64()  # as the first page typed it
    assert second["score__v_text"].to_pylist() == ["high"]  # the misfit, in a variant column
    given = _data([*batched.add(second), *batched.flush()])
    assert [t["id"].to_pylist() for t in given] == [["1"], ["2"]]  # two shapes: never joined
    assert given[0]["score"].to_pylist() == [5]


def test_what_the_destination_knows_comes_before_what_is_held() -> None:
    batched = Batched(TABLES, "t", 1000)
    list(batched.add(TABLES.arrow("t", [{"id": "1", "score": "x"}])))
    known = batched.known_types(lambda table: lambda column: "bigint")("t")
    assert known("score") == "bigint"
    assert batched.known_types(lambda table: drift.nothing_known)("t")("score") == "text"
    assert batched.known_types(lambda table: drift.nothing_known)("other")("score") is None
