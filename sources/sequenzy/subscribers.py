"""The `subscribers` resource: every subscriber, merged on id, though the API has no
updated-since filter.

A full read of `GET /subscribers` (every status, 1,000 a page by cursor) when due
(`subscribers_refresh_minutes`); a subscriber whose `updatedAt` equals what the destination
holds is not loaded again (sources.common.loaded), so a run loads only what changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt

from sources.common import loaded
from sources.common.state import due, mark_done
from sources.sequenzy import helpers, rows
from sources.sequenzy.extraction import SequenzyRun
from sources.sequenzy.settings import BATCH_ROWS, SEQUENZY_TABLES

LISTED = "subscribers_listed_at"


def subscribers(run: SequenzyRun) -> Iterator[Any]:
    state = dlt.current.resource_state()
    if not due(state, LISTED, run.settings.subscribers_refresh):
        return
    before = loaded.latest_values("subscribers", "id", "updated_at") or {}
    known = run.known_types()
    batch: list[dict[str, Any]] = []
    with run.client() as client:
        for page in helpers.subscriber_pages(client):
            run.stats.add("rows", len(page))
            batch += [s for s in page if loaded.changed(before, s["id"], s.get("updatedAt"))]
            if len(batch) >= BATCH_ROWS:
                yield SEQUENZY_TABLES.tagged("subscribers", rows.subscriber_table(batch, known))
                batch = []
    if batch:
        yield SEQUENZY_TABLES.tagged("subscribers", rows.subscriber_table(batch, known))
    mark_done(state, LISTED)
