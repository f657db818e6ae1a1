"""Struct columns taken apart without compute calls give what Arrow's own compute gives."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sources.common import arrow

PEOPLE = pa.array(
    [{"id": "p1", "company": {"id": "c1"}}, None, {"id": "p3", "company": None}],
    pa.struct([("id", pa.string()), ("company", pa.struct([("id", pa.string())]))]),
)


@pytest.mark.parametrize("column", [PEOPLE, pa.chunked_array([PEOPLE, PEOPLE[:1]]),
                                    pa.chunked_array([], PEOPLE.type)])  # fmt: skip
def test_a_nested_field_is_null_where_a_parent_is(column):
    expected = pc.struct_field(pc.struct_field(column, "company"), "id")
    got = arrow.nested(column, "company", "id")
    assert got.equals(expected)
    if len(column) == 3:
        assert got.to_pylist() == ["c1", None, None]
