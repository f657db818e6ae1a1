"""NUL never reaches a destination: PostgreSQL refuses it in text and JSON, and JSON allows it."""

from __future__ import annotations

import orjson
import pyarrow as pa

from sources.common import drift, nul


def test_text_and_json_of_any_depth_lose_their_nul():
    got = nul.value({"a\x00": ["x\x00", {"b": "\x00\x00"}], "n": 5, "t": None})
    assert got == {"a\ufffd": ["x\ufffd", {"b": "\ufffd\ufffd"}], "n": 5, "t": None}
    assert "\\u0000" not in drift.json_text({"k": "a\x00b"})


def test_an_arrow_table_loses_its_nul_in_every_text_column_and_keeps_the_rest():
    chunked = pa.chunked_array([pa.array(["ok", None]), pa.array(["x\x00y"])])
    found = pa.table({"t": chunked, "n": pa.array([1, 2, 3]), "u": pa.array(["a", "b", "c"])})
    cleaned = nul.table(found)
    assert cleaned.column("t").to_pylist() == ["ok", None, "x\ufffdy"]
    assert cleaned.column("n").to_pylist() == [1, 2, 3] and cleaned.column("u") == found.column("u")
    untouched = pa.table({"t": pa.array(["x\x00", "ok"])}).slice(1)  # the NUL is outside the slice
    assert nul.table(untouched).column("t").to_pylist() == ["ok"]


def test_an_integer_beyond_64_bits_in_a_row_of_any_depth_becomes_a_float_dlt_can_write():
    """JSON allows any size; dlt's JSON writer refuses one beyond 64 bits (a property test
    drew one in an Instantly campaign's extra field, and the load failed)."""
    row = {"id": "c1", "big": 2**70, "small": -(2**63), "nested": {"list": [2**64, 1, True]}}
    cleaned = nul.value(row)
    assert cleaned == {"id": "c1", "big": float(2**70), "small": -(2**63),
                       "nested": {"list": [float(2**64), 1, True]}}  # fmt: skip
    assert orjson.loads(orjson.dumps(cleaned))["small"] == -(2**63)


def test_json_text_replaces_a_nul_at_any_depth_and_keeps_text_that_only_reads_like_one():
    """orjson writes a NUL as `\\u0000`, which is how json_text knows to walk the value; a
    text holding a backslash and `u0000` is not a NUL and comes back as it was."""
    assert orjson.loads(drift.json_text([{"a\x00": {"b": ["x\x00"]}}])) == [
        {"a\ufffd": {"b": ["x\ufffd"]}}
    ]
    literal = {"k": "\\u0000", "big": 2**70}
    assert orjson.loads(drift.json_text(literal)) == {"k": "\\u0000", "big": float(2**70)}
    assert drift.json_text([{"address": "a@b.c", "name": ""}]) == '[{"address":"a@b.c","name":""}]'
