"""The `subscribers` resource: every subscriber, merged on id, though the API has no
updated-since filter.

A full read of `GET /subscribers` (every status, 1,000 a page by cursor) when due
(`subscribers_refresh_minutes`); a subscriber whose `updatedAt` equals what the destination
holds is not loaded again (sources.common.loaded), so a run loads only what changed.
"""

from __future__ import annotations

import operator
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
    with run.client() as client:
        pages = helpers.subscriber_pages(client)
        stamp = operator.methodcaller("get", "updatedAt")  # the SDK lets it be absent
        for batch in loaded.changed_batches(pages, before, stamp, BATCH_ROWS, run.stats):
            yield SEQUENZY_TABLES.tagged("subscribers", rows.subscriber_table(batch, known))
    mark_done(state, LISTED)
