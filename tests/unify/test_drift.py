"""Schema drift: fields the API adds, of any shape, never fail a load on any destination."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sources.unify.settings import UNIFY_TABLES
from tests.support.warehouses import DeltaLake, DuckDBWarehouse
from tests.unify.loading import BULK, Loader
from tests.unify.truth import assert_matches_truth

FIRST = {  # what the vendor started sending on some enrollments
    0: {"engagement": {"nested": [1, 2, 3], "note": "warm"}, "tags": ["vip", "eu"], "score": 5},
    1: {"engagement": {"nested": [], "note": None}, "tags": [], "score": 7, "mixed": 1.5},
    2: {"engagement": None, "tags": ["x"], "score": None, "mixed": "one and a half"},
    3: {"engagement": {"deeper": {"a": [{"b": 1}]}}, "mixed": {"n": 1}},
}
# the next pages change kind: a string where JSON was, a string and a float in a bigint column
LATER = [
    {"engagement": "now a string", "tags": "not a list", "score": "very high", "flag": True},
    {"score": 2.5},
]


@pytest.fixture(params=["duckdb", "postgres", "filesystem"])
def destination(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "filesystem":
        return DeltaLake(tmp_path / "lake", UNIFY_TABLES, "unify")
    if request.param == "duckdb":
        return DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    return request.getfixturevalue("postgres_database")


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _assert_every_enrollment_once(destination: Any, state: Any, path: str) -> None:
    if path == "list":
        assert_matches_truth(destination, state)
    else:  # bulk rows lack a few columns (tests/unify/test_bulk.py compares those paths)
        ids = [r[0] for r in destination.rows("select id from unify.enrollments")]
        assert sorted(ids) == sorted(e["id"] for e in state.all_enrollments())


@pytest.mark.parametrize("path", ["list", "bulk"])
def test_new_fields_of_any_shape_land_as_columns_on_every_destination(
    unify, tmp_path, destination, path, capfd
):
    server = unify(enrollments=400)
    state = server.state
    state.new_fields.update(FIRST)
    ids = {i: state.world.ids["enroll"].make(i) for i in FIRST}
    load = Loader(tmp_path, server.base_url, destination)
    load.run(**(BULK if path == "bulk" else {}))
    _assert_every_enrollment_once(destination, state, path)
    rows = {r[0]: r[1:] for r in destination.rows(
        "select id, cast(engagement as text), cast(tags as text), score, cast(mixed as text)"
        " from unify.enrollments"
        f" where id in ({', '.join(repr(v) for v in ids.values())})"
    )}  # fmt: skip
    assert _json(rows[ids[0]][0]) == FIRST[0]["engagement"]
    assert _json(rows[ids[3]][0]) == FIRST[3]["engagement"]
    assert _json(rows[ids[0]][1]) == ["vip", "eu"] and _json(rows[ids[1]][1]) == []
    assert [rows[ids[k]][2] for k in (0, 1, 2)] == [5, 7, None]  # a bigint column
    mixed = [_json(rows[ids[k]][3]) for k in (0, 1, 2, 3)]
    assert mixed == [None, 1.5, "one and a half", {"n": 1}]  # kinds disagree: one JSON column
    if path == "bulk":  # the same fields on the Bulk API's step rows
        steps = destination.rows(
            "select cast(engagement as text), score from unify.enrollment_steps"
            f" where enrollment_id = {ids[0]!r}"
        )
        assert steps and all(_json(e) == FIRST[0]["engagement"] and s == 5 for e, s in steps)

    touched = state.touch(2)
    for enrollment_id, fields in zip(touched, LATER, strict=True):
        state.new_fields[state.enrollment_index(enrollment_id)] = fields
    load.run()
    _assert_every_enrollment_once(destination, state, path)
    later = destination.rows(
        "select cast(engagement as text), cast(tags as text), score, score__v_text,"
        " score__v_double, flag"
        f" from unify.enrollments where id in ({', '.join(repr(v) for v in touched)})"
        " order by flag nulls last"
    )
    assert "hints were different" not in capfd.readouterr().err  # expected, so not warned
    assert [(_json(e), _json(t), *rest) for e, t, *rest in later] == [
        ("now a string", "not a list", None, "very high", None, True),
        (None, None, None, None, 2.5, None),
    ]
