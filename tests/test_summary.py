"""The run summary as printed: rows loaded beside rows stored, counts in good English."""

from __future__ import annotations

from pipelines.summary import RunSummary


def test_rows_loaded_and_rows_stored_side_by_side_and_counts_in_words():
    summary = RunSummary(rows={"persons": 6879, "enrollments": 5002},
                         stored={"persons": 2944, "enrollments": 5002},
                         seconds=2.61, requests=1, retries=2)  # fmt: skip
    lines = summary.lines()
    assert lines[0].split() == ["table", "rows", "loaded", "rows", "stored"]
    assert lines[1].split() == ["enrollments", "5,002", "5,002"]
    assert lines[2].split() == ["persons", "6,879", "2,944"]
    assert lines[-1] == "  2.6 s, 1 request, 2 retries"


def test_a_run_with_nothing_new_says_so():
    lines = RunSummary(requests=3, retries=1, completed_pending_packages=1).lines()
    assert lines == ["  nothing new", "  (first completed 1 load package left by an interrupted run)",
                     "  0.0 s, 3 requests, 1 retry"]  # fmt: skip
