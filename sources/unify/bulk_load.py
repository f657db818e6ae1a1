"""The Unify source's use of the Bulk API: a first load of enrollments through a query job,
and the `enrollment_steps` resource, which only query jobs export."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from sources.common.http import ApiClient, RetryPolicy
from sources.common.instants import format_instant, parse_instant
from sources.unify import bulk, bulk_rows, normalize
from sources.unify.helpers import make_client
from sources.unify.output import run_stats, tagged

log = logging.getLogger("sequence_funnel.unify")


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
    ) -> Iterator[list[dict[str, Any]]]:
        budget = bulk.JobBudget(dlt.current.source_state(), self.per_day)
        flt = bulk.updated_at_filter(low, high)
        return bulk.run_job(
            client, base, flt, budget, poll_initial=self.poll_seconds, timeout=self.timeout
        )


def _emit(tables: dict[str, pa.Table], cursor_table: str, newest: datetime | None) -> Iterator[Any]:
    """Hand a page's tables to dlt; returns the newest `updated_at` seen so far."""
    for name, arrow_table in tables.items():
        yield tagged(name, arrow_table)
    latest = pc.max(tables[cursor_table]["updated_at"]).as_py()
    return max(filter(None, (newest, latest)), default=None)


def bulk_enrollments(
    client: ApiClient,
    state: dict[str, Any],
    jobs: JobSettings,
    since: datetime | None,
    upper: datetime | None,
) -> Iterator[Any]:
    """The first load of enrollments through a query job; returns the embedded sequences, or
    None when the daily job budget is spent (the caller then pages the list endpoint)."""
    embedded: dict[str, dict[str, Any]] = {}
    newest: datetime | None = None
    try:
        for rows in jobs.run(client, bulk.ENROLLMENTS, since, upper):
            embedded |= normalize.embedded_sequences(rows)
            tables = bulk_rows.enrollment_tables(rows)
            newest = yield from _emit(tables, "enrollments", newest)
    except bulk.JobBudgetSpent as exc:
        log.warning("backfilling enrollments through the list endpoint: the daily query-job"
                    " budget is spent (%s)", exc)  # fmt: skip
        return None
    mark = newest or upper  # the job held everything up to `upper` (an empty account: nothing)
    if mark is not None:  # from now on the list endpoint reads what changed after it
        state["enrollments_updated_at"] = format_instant(mark)
    return embedded


def enrollment_steps(
    api_key: str,
    base_url: str,
    policy: RetryPolicy,
    lookback: timedelta,
    since: datetime | None,
    jobs: JobSettings,
) -> Iterator[Any]:
    """Enrollment steps updated since the last high-water mark less the lookback, through a
    query job (the only way the API exports them); the mark is the newest updated_at the job
    returned, kept in this resource's state, committed with the load."""
    state = dlt.current.resource_state()
    if not jobs.steps_due(state):
        return
    mark = state.get("steps_updated_at")
    newest = parse_instant(mark) if mark else None
    low = newest - lookback if newest else since
    with make_client(api_key, base_url, policy) as client:
        try:
            for rows in jobs.run(client, bulk.ENROLLMENT_STEPS, low, None):
                newest = yield from _emit(bulk_rows.step_tables(rows), "enrollment_steps", newest)
        except bulk.JobBudgetSpent as exc:
            log.warning("enrollment steps skipped this run: the daily query-job budget is spent"
                        " (%s); a later run catches up", exc)  # fmt: skip
            return
        finally:
            run_stats.update(client.stats)
    state["steps_exported_at"] = format_instant(datetime.now(UTC))
    if newest is not None:
        state["steps_updated_at"] = format_instant(newest)
