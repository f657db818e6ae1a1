"""The `metrics` resource: each sequence's funnel as the vendor counts it, once per day.

`GET /metrics/sequences/{id}` (all time: no window) when due (`metrics_refresh_minutes`): one
`sequence_metrics` row per sequence and UTC day of the API's clock, and one
`sequence_step_metrics` row per email step; a later read on the same day replaces that day's
rows, so each day keeps its last snapshot and the days before stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt

from sources.common.errors import NotFoundError
from sources.common.instants import format_instant
from sources.common.state import due, mark_done
from sources.sequenzy import helpers, rows
from sources.sequenzy.extraction import SequenzyRun
from sources.sequenzy.settings import SEQUENZY_TABLES

READ = "metrics_read_at"


def metrics(run: SequenzyRun) -> Iterator[Any]:
    state = dlt.current.resource_state()
    if not due(state, READ, run.settings.refresh("metrics")):
        return
    listing = run.listing()
    date, loaded_at = listing.now.date().isoformat(), format_instant(listing.now)
    sequences, steps = [], []
    with run.client() as client:
        for summary in listing.sequences:
            try:
                found = helpers.sequence_metrics(client, summary["id"])
            except NotFoundError:
                continue  # deleted since it was listed
            row, step_rows = rows.metrics_rows(summary, found, date, loaded_at)
            sequences.append(row)
            steps += step_rows
    if sequences:
        yield SEQUENZY_TABLES.tagged("sequence_metrics", sequences)
    if steps:
        yield SEQUENZY_TABLES.tagged("sequence_step_metrics", steps)
    mark_done(state, READ)
