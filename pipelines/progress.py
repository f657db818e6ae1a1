"""The connector's own progress: rows read so far (of the total, when the API says it), their
rate and the time left, from the source instance's `RunStats` ("rows", "rows_expected",
"requests").

On a terminal a rich progress bar on stderr; elsewhere (cron, CI) one log line (INFO, logger
`sequence_funnel.progress`) every 10 seconds (SEQUENCE_FUNNEL_PROGRESS_SECONDS) with the same
figures; nothing with `--quiet`.
dlt's own collector is not used: it printed a ten-line block every five seconds with rates
that meant nothing for Arrow items.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from pipelines.english import count
from sources.common.stats import RunStats

log = logging.getLogger("sequence_funnel.progress")
PERIOD_VARIABLE = "SEQUENCE_FUNNEL_PROGRESS_SECONDS"  # between progress lines off a terminal
TICK = 0.2  # seconds between updates of the bar


def describe(rows: int, expected: int, requests: int, seconds: float) -> str:
    """`12,300 of 100,000 rows (12 %), 4,100 rows/s, 130 requests, about 21 s left`. The total is
    what the API said at the start; more rows than that (a table it did not count, rows added
    since) say so, never a share above 100 %."""
    rate = rows / seconds if seconds > 0 else 0.0
    if expected and rows <= expected:
        done = f"{rows:,} of {expected:,} rows ({100 * rows / expected:.0f} %)"
    elif expected:
        done = f"{rows:,} rows (about {expected:,} expected)"
    else:
        done = count(rows, "row")
    parts = [done, f"{rate:,.0f} rows/s", count(requests, "request")]
    if expected and rate > 0 and rows < expected:
        parts.append(f"about {(expected - rows) / rate:,.0f} s left")
    return ", ".join(parts)


class RunProgress:
    """`with RunProgress(stats, enabled=not quiet): ...` around a run."""

    def __init__(
        self,
        stats: RunStats,
        *,
        enabled: bool,
        terminal: bool | None = None,
        period: float | None = None,
    ) -> None:
        self.stats = stats
        self.enabled = enabled
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.period = period or float(os.environ.get(PERIOD_VARIABLE) or 10.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._report, name="progress", daemon=True)

    def __enter__(self) -> RunProgress:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _report(self) -> None:
        if self.terminal:
            self._bar()
        else:
            self._lines()

    def _figures(self) -> tuple[int, int, int]:
        s = self.stats
        return s.get("rows"), s.get("rows_expected"), s.get("requests")

    def _lines(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self.period):
            rows, expected, requests = self._figures()
            log.info("progress: %s", describe(rows, expected, requests, time.monotonic() - started))

    def _bar(self) -> None:
        columns = (
            TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rate]} rows/s, {task.fields[requests]} requests"),
            TimeElapsedColumn(), TimeRemainingColumn(),
        )  # fmt: skip
        started = time.monotonic()
        # on stderr, as the lines: a run's stdout (its summary) stays clean when piped
        with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("rows", total=None, rate="0", requests="0")
            while not self._stop.wait(TICK):
                rows, expected, requests = self._figures()
                rate = rows / max(time.monotonic() - started, 1e-9)
                total = max(expected, rows) if expected else None  # never past its end
                bar.update(task, completed=rows, total=total, rate=f"{rate:,.0f}",
                           requests=f"{requests:,}")  # fmt: skip
