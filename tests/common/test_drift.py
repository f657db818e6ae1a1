"""New API fields as columns (sources.common.drift): typed by their values, and by what the
destination already has, so that no value fails a load."""

from __future__ import annotations

import json

import pyarrow as pa

from sources.common.drift import JSON_FIELD, columns


def _named(name, values, known=None):
    return {f.name: (f, a.to_pylist()) for f, a in columns(name, values, known)}


def test_a_new_field_is_typed_by_its_values():
    assert _named("n", [1, None, 3])["n"][0].type == pa.int64()
    assert _named("x", [1, 2.5])["x"][1] == [1.0, 2.5]  # ints and floats: double
    assert _named("b", [True, None])["b"][0].type == pa.bool_()
    assert _named("s", ["a", None])["s"][0].type == pa.string()
    assert _named("none", [None, None])["none"][0].type == pa.null()  # no type until a value


def test_objects_lists_and_mixed_kinds_are_json_text_marked_for_a_json_hint():
    for values in ([{"a": [1]}, None], [["x", "y"], []], [1, "one", {"n": 1}]):
        field, got = _named("v", values)["v"]
        assert field.type == pa.string() and field.metadata == JSON_FIELD
        assert [None if g is None else json.loads(g) for g in got] == values


def test_a_value_that_does_not_fit_the_known_type_goes_to_a_variant_column():
    out = _named("score", [5, "high", 2.5, None, {"a": 1}], known="bigint")
    assert out["score"][1] == [5, None, None, None, None]
    assert out["score__v_text"][1] == [None, "high", None, None, None]
    assert out["score__v_double"][1] == [None, None, 2.5, None, None]
    assert json.loads(out["score__v_json"][1][4]) == {"a": 1}


def test_a_known_text_column_takes_any_scalar_and_a_json_one_takes_anything():
    assert _named("t", ["a", 5, True, 1.5], known="text")["t"][1] == ["a", "5", "true", "1.5"]
    got = _named("j", ["a", 5, [1]], known="json")
    assert set(got) == {"j"} and [json.loads(v) for v in got["j"][1]] == ["a", 5, [1]]
