"""Every shape Unify's OpenAPI document allows goes through the source's normalisers, on both
of its paths for a list page (Arrow against the documented shape, and row by row): nulls where
it says nullable, optional fields absent, every enum value, any unicode, fields it does not
name. Nothing may crash; both paths give the same enrollments; none is lost."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.unify.enrollment_rows import bulk_only_tables, list_enrollment_tables
from sources.unify.list_pages import list_page_tables, read_list_page
from sources.unify.sequence_rows import sequence_row, step_rows
from tests.support.generate import SHAPE_CHECKS, Generator

SHAPES = Generator.of_vendor("unify")

EXACT = Generator.of_vendor("unify", extra_fields=False)  # what the Arrow path reads itself
CHECKS = settings(SHAPE_CHECKS, max_examples=40)


def of(name: str, shapes: Generator = SHAPES) -> st.SearchStrategy[Any]:
    return shapes.schema(name)


def _count(tables: dict[str, Any]) -> int:
    return tables["enrollments"].num_rows if "enrollments" in tables else 0


def _unique(page: dict[str, Any]) -> dict[str, Any]:
    """A page as the API lists it: each enrollment once."""
    seen: dict[str, Any] = {}
    for e in page.get("enrollments") or []:
        seen.setdefault(e["id"], e)
    return {**page, "enrollments": list(seen.values())}


@CHECKS
@given(page=of("ListEnrollmentsResponse"))
def test_a_list_page_row_by_row(page):
    page = _unique(page)
    tables = list_enrollment_tables(page["enrollments"])
    assert _count(tables) == len(page["enrollments"])


@CHECKS
@given(page=of("ListEnrollmentsResponse", EXACT))
def test_a_list_page_through_arrow_equals_row_by_row(page):
    page = _unique(page)
    read = read_list_page(orjson.dumps(page))
    if read is None:  # a shape Arrow declines is read row by row: the test above
        return
    columnar, by_rows = (
        list_page_tables(read["enrollments"]),
        list_enrollment_tables(page["enrollments"]),
    )
    assert _count(columnar) == _count(by_rows) == len(page["enrollments"])
    if page["enrollments"]:
        assert sorted(columnar["enrollments"].column("id").to_pylist()) == sorted(
            by_rows["enrollments"].column("id").to_pylist()
        )


@CHECKS
@given(sequence=of("Sequence"), steps=of("ListSequenceStepsResponse"))
def test_a_sequence_and_its_steps(sequence, steps):
    assert sequence_row(sequence)["id"] == sequence["id"]
    assert len(step_rows(steps["steps"])) == len(steps["steps"])


@CHECKS
@given(rows=st.lists(of("SequenceEnrollment"), max_size=3))
def test_bulk_only_rows(rows):
    tables = bulk_only_tables(rows)
    assert all(t.num_rows <= len(rows) * 2 for t in tables.values())
