"""Every shape Sequenzy's reference allows goes through the source's normalisers: the SDK makes
every field optional and nullable (ids included), leaves its enums open, and the models take
fields they do not name. Nothing may crash; a row keeps its key or is left out, never loaded
without one; no other row is lost."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sources.sequenzy import rows
from sources.sequenzy.settings import SEQUENZY_TABLES
from tests.support.generate import SHAPE_CHECKS, Generator

SHAPES = Generator.of_vendor("sequenzy")
CHECKS = SHAPE_CHECKS


def of(name: str) -> st.SearchStrategy[Any]:
    return SHAPES.schema(name)


def _ids(table: Any, column: str = "id") -> list[Any]:
    return table.column(column).to_pylist()


@CHECKS
@given(summary=of("SequenceSummary"), details=of("SequenceDetails"))
def test_a_sequence_and_its_graph(summary, details):
    summary = {**summary, "id": summary.get("id") or "s-1"}  # the listing is keyed upstream
    row = rows.sequence_row(summary, details)
    assert row["id"] == summary["id"] and row["is_deleted"] is False
    graph, unkeyed = rows.graph_rows(summary["id"], details)
    for part, (table, _) in rows.PARTS.items():
        given_rows = [x for x in details.get(part) or [] if isinstance(x, dict)]
        assert len(graph[table]) + unkeyed.get(table, 0) == len(given_rows)
        key = SEQUENZY_TABLES.key(table)
        for r in graph[table]:
            assert all(r[k] for k in ([key] if isinstance(key, str) else key))


@CHECKS
@given(page=st.lists(of("SequenceEnrollmentListResponseEnrollmentsItem"), max_size=6))
def test_enrollments(page):
    kept = rows.keyed(page, "enrollmentId")
    table = rows.enrollment_table(kept)
    assert table.num_rows == len([e for e in page if e.get("enrollmentId")])
    assert None not in _ids(table)


@CHECKS
@given(page=st.lists(of("Subscriber"), max_size=6))
def test_subscribers(page):
    table = rows.subscriber_table(rows.keyed(page, "id"))
    assert table.num_rows == len([s for s in page if s.get("id")])


@CHECKS
@given(page=st.lists(of("EmailEvent"), max_size=6))
def test_events_each_get_an_id(page):
    table = rows.event_table("s-1", page)
    assert table.num_rows == len(page) and None not in _ids(table)
    assert set(table.column("sequence_id").to_pylist()) <= {"s-1"}


@CHECKS
@given(metrics=of("GetSequenceMetricsResponse"), summary=of("SequenceSummary"))
def test_metrics(metrics, summary):
    row, steps = rows.metrics_rows({**summary, "id": "s-1"}, metrics, "2026-12-06",
                                   "2026-12-06T00:00:00Z")  # fmt: skip
    assert row["sequence_id"] == "s-1" and all(s["node_id"] for s in steps)
