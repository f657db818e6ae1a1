"""Unify's Bulk API protocol: query jobs for enrollments and enrollment steps.

A job is created with a filter, polled (with a growing interval, as the docs ask) until it is
FINISHED, and its results read a page at a time as NDJSON (2,000 rows a page; the API allows
10,000); only one page is in memory at once. A job that ends FAILED, CANCELED or EXPIRED raises
QueryJobError: whatever was extracted is then not loaded, and no high-water mark moves.
Job creation has a daily budget (about 100); `JobBudget` keeps a log of this pipeline's jobs in
dlt state, so a run knows the budget is spent before asking, and a 429 that asks to wait hours
is taken as the same answer.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa

from sources.common import arrow
from sources.common.errors import ConnectorError, HttpStatusError, RateLimitedError
from sources.common.http import ApiClient
from sources.common.instants import format_instant, parse_instant
from sources.unify.bulk_pages import ResultsPage, read_enrollment_page, read_step_page
from sources.unify.helpers import ndjson_page_check
from sources.unify.settings import UNIFY_TABLES

ENROLLMENTS, ENROLLMENT_STEPS = "/enrollments", "/enrollment-steps"
# each kind's results pages straight into Arrow when they hold the documented shape (bulk_pages)
READERS = {ENROLLMENTS: read_enrollment_page, ENROLLMENT_STEPS: read_step_page}
# 2,000 rows a results page, not the API's maximum of 10,000: measured on a 100,000-enrollment
# first load with steps (bench/unify/RESULTS.md), the peak RSS is 150 MB lower, for the same time.
NDJSON_PAGE_SIZE = 2_000
POLL_GROWTH, POLL_MAX = 1.5, 15.0
DAY = timedelta(days=1)


class QueryJobError(ConnectorError):
    """A query job ended without results (or took too long): nothing loaded, state unchanged."""

    exit_code = 3


class JobBudgetSpent(Exception):
    """No query job may be created now; the caller falls back or skips."""


class JobBudget:
    """This pipeline's query jobs of the last 24 hours, kept in (source) state."""

    def __init__(self, state: dict[str, Any], per_day: int) -> None:
        self.log: list[str] = state.setdefault("query_jobs_created", [])
        self.per_day = per_day

    def _recent(self, now: datetime) -> list[str]:
        return [t for t in self.log if now - parse_instant(t) < DAY]

    def spend(self) -> None:
        now = datetime.now(UTC)
        recent = self._recent(now)
        if len(recent) >= self.per_day:
            raise JobBudgetSpent(f"{len(recent)} query jobs in the last 24 hours")
        self.log[:] = [*recent, format_instant(now)]


@dataclass(frozen=True)
class JobSettings:
    per_day: int
    timeout: float
    poll_seconds: float
    steps_refresh: timedelta  # at most one enrollment-steps job per this interval

    def steps_due(self, state: dict[str, Any]) -> bool:
        """Each export spends a query job of the ~100 a day: steps are exported at most once
        per `steps_refresh` (0: every run), so frequent runs leave budget to spare."""
        last = state.get("steps_exported_at")
        if last is None or self.steps_refresh <= timedelta(0):
            return True
        return datetime.now(UTC) - parse_instant(last) >= self.steps_refresh

    def run(
        self, client: ApiClient, base: str, low: datetime | None, high: datetime | None
    ) -> Iterator[ResultsPage]:
        """A job for rows of `base` updated in [low, high], under this pipeline's budget."""
        budget = JobBudget(dlt.current.source_state(), self.per_day)
        return run_job(client, base, updated_at_filter(low, high), budget,
                       poll_initial=self.poll_seconds, timeout=self.timeout)  # fmt: skip

    def export(
        self,
        client: ApiClient,
        base: str,
        low: datetime | None,
        high: datetime | None,
        normalise: Callable[[ResultsPage], dict[str, pa.Table]],
        cursor_table: str | None,
        newest: datetime | None = None,
    ) -> Generator[Any, None, datetime | None]:
        """A job's result pages as tagged Arrow tables (`normalise` turns a page, a BulkPage or
        a list of rows, into them); returns the newest `updated_at` of `cursor_table` seen (when
        one is named), or `newest` if later."""
        for rows in self.run(client, base, low, high):
            tables = normalise(rows)
            yield from UNIFY_TABLES.tagged_all(tables)
            if cursor_table in tables:
                newest = arrow.newest(tables[cursor_table]["updated_at"], than=newest)
        return newest


def run_job(client: ApiClient, base: str, filter_: dict[str, Any], budget: JobBudget, *,
            poll_initial: float = 1.0, timeout: float = 1800.0
            ) -> Iterator[ResultsPage]:  # fmt: skip
    """Create a query job under `base`, wait for it, and yield its results a page at a time
    (each a BulkPage, or a list of rows where a page is not of the documented shape)."""
    budget.spend()
    body = {"filter": filter_} if filter_ else None
    try:
        created = client.request("POST", f"{base}/query-jobs", json=body).body
    except RateLimitedError as exc:
        raise JobBudgetSpent(str(exc)) from None
    job_id = created["job_id"]
    drained = False
    try:
        total = _wait(client, base, job_id, poll_initial, timeout)
        client.stats.add("rows_expected", total)  # for the progress bar
        page, seen = 1, 0
        while seen < total:
            rows = _results_page(client, base, job_id, page)
            if not rows:
                break
            seen += len(rows)
            client.stats.add("rows", len(rows))
            yield rows
            page += 1
        drained = True
    finally:
        if not drained:
            _cancel_quietly(client, base, job_id)


def _wait(client: ApiClient, base: str, job_id: str, delay: float, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"{base}/query-jobs/{job_id}").body
        status = job["status"]
        if status == "FINISHED":
            return int(job.get("total_rows") or 0)
        if status != "IN_PROGRESS":
            raise _ended(base, job_id, status, job.get("error_code"))
        if time.monotonic() + delay > deadline:
            raise QueryJobError(
                f"Unify query job {job_id} ({base[1:]}) not finished after {timeout:.0f} s;"
                " nothing was loaded and no high-water mark moved: run again later"
            )
        time.sleep(delay)
        delay = min(POLL_MAX, delay * POLL_GROWTH)


def _results_page(client: ApiClient, base: str, job_id: str, page: int) -> ResultsPage:
    params = {"page": page, "page_size": NDJSON_PAGE_SIZE}
    try:
        path = f"{base}/query-jobs/{job_id}/results"
        return client.get_ndjson(path, params, ndjson_page_check, READERS[base]).body
    except HttpStatusError as exc:  # 409 failed/canceled, 410 expired while we read
        ended = {"results_failed": "FAILED", "results_canceled": "CANCELED",
                 "results_expired": "EXPIRED"}.get(exc.code or "")  # fmt: skip
        if ended:
            raise _ended(base, job_id, ended, None) from None
        raise


def _ended(base: str, job_id: str, status: str, error_code: str | None) -> QueryJobError:
    detail = f", error {error_code}" if error_code else ""
    return QueryJobError(
        f"Unify query job {job_id} ({base[1:]}) ended {status}{detail}; nothing was loaded and"
        " no high-water mark moved: run again"
    )


def _cancel_quietly(client: ApiClient, base: str, job_id: str) -> None:
    """A run that stops early cancels its job, so it does not run on for nobody."""
    with contextlib.suppress(ConnectorError):  # already finished, failed or gone
        client.request("POST", f"{base}/query-jobs/{job_id}/cancel")


def updated_at_filter(low: datetime | None, high: datetime | None) -> dict[str, Any]:
    bounds = {}
    if low is not None:
        bounds["gte"] = format_instant(low)
    if high is not None:
        bounds["lte"] = format_instant(high)
    return {"updated_at": bounds} if bounds else {}
