"""The `enrollment_steps` resource: each person's execution of each step, which only Bulk API
query jobs export.

Steps updated since this resource's high-water mark less the lookback, through one query job;
the mark is the newest updated_at the job returned, committed with the load. A job that ends
without results stops the run with nothing loaded; a spent daily job budget skips the steps for
this run with a warning (their mark stays; a later run catches up).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dlt

from sources.common.instants import format_instant
from sources.common.notices import notices
from sources.common.state import HighWaterMark
from sources.unify import query_jobs
from sources.unify.extraction import UnifyRun
from sources.unify.step_rows import step_tables

log = notices("unify")
MARK = "steps_updated_at"


def enrollment_steps(run: UnifyRun) -> Iterator[Any]:
    run.source_state()  # a pipeline's state from before the split is moved first
    state = dlt.current.resource_state()
    jobs = run.settings.jobs
    if not jobs.steps_due(state):
        return
    mark = HighWaterMark(state, MARK)
    with run.client() as client:
        try:
            low = mark.start(run.settings.lookback, run.settings.since)
            known = run.known_types()
            newest = yield from jobs.export(
                client, query_jobs.ENROLLMENT_STEPS, low, None,
                lambda rows: step_tables(rows, known), "enrollment_steps", newest=mark.value,
            )  # fmt: skip
        except query_jobs.JobBudgetSpent as exc:
            log.warning("enrollment steps skipped this run: the daily query-job budget is spent"
                        " (%s); a later run catches up", exc)  # fmt: skip
            return
    state["steps_exported_at"] = format_instant(datetime.now(UTC))
    mark.set(newest)
