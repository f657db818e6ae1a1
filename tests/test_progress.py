"""The connector's own progress report: the figures, and one line per period off a terminal."""

from __future__ import annotations

import logging
import time

from pipelines.progress import RunProgress, describe
from sources.common.stats import RunStats


def test_the_figures_say_rows_of_the_total_rate_requests_and_time_left():
    assert describe(12_300, 100_000, 130, 3.0) == (
        "12,300 of 100,000 rows (12 %), 4,100 rows/s, 130 requests, about 21 s left"
    )
    assert describe(500, 0, 1, 2.0) == "500 rows, 250 rows/s, 1 request"  # no total known
    assert describe(0, 0, 0, 0.0) == "0 rows, 0 rows/s, 0 requests"
    # more rows than the API counted at the start (tables it did not count, rows added since)
    assert describe(118_872, 98_872, 400, 10.0) == (
        "118,872 rows (about 98,872 expected), 11,887 rows/s, 400 requests"
    )


def test_off_a_terminal_a_line_every_period_and_nothing_when_quiet(caplog):
    stats = RunStats()
    caplog.set_level(logging.INFO, logger="sequence_funnel.progress")
    with RunProgress(stats, enabled=True, terminal=False, period=0.05):
        stats.add("rows_expected", 1000)
        stats.add("rows", 250)
        stats.add("requests", 3)
        time.sleep(0.3)
    lines = [r.getMessage() for r in caplog.records]
    assert lines and all(line.startswith("progress: ") for line in lines)
    assert {r.levelno for r in caplog.records} == {logging.INFO}  # figures, not a warning
    assert "250 of 1,000 rows (25 %)" in lines[-1] and "3 requests" in lines[-1]
    caplog.clear()
    with RunProgress(stats, enabled=False, terminal=False, period=0.05):
        time.sleep(0.2)
    assert caplog.records == []


def test_on_a_terminal_the_bar_runs_on_stderr_and_stops_with_the_run(capsys):
    stats = RunStats()
    progress = RunProgress(stats, enabled=True, terminal=True)
    with progress:
        stats.add("rows_expected", 10)
        stats.add("rows", 25)  # past the total: the bar's end moves, it never overflows
        time.sleep(0.3)
    assert not progress._thread.is_alive()
    assert capsys.readouterr().out == ""  # a piped stdout (the summary) gets none of it
