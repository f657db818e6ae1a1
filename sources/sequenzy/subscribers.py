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

from sources.common import loaded
from sources.common.tables import KnownTypes
from sources.sequenzy import helpers, rows
from sources.sequenzy.extraction import SequenzyRun
from sources.sequenzy.settings import BATCH_ROWS, SEQUENZY_TABLES

# the SDK lets `updatedAt` be absent: such a subscriber is loaded every full read
SUBSCRIBERS = loaded.FullRead(
    "subscribers", "updated_at", operator.methodcaller("get", "updatedAt"), "subscribers_listed_at"
)


def subscribers(run: SequenzyRun) -> Iterator[Any]:
    def table(batch: list[dict[str, Any]], known: KnownTypes) -> Any:
        return SEQUENZY_TABLES.tagged("subscribers", rows.subscriber_table(batch, known))

    refresh = run.settings.refresh("subscribers")
    yield from SUBSCRIBERS.read(run, refresh, helpers.subscriber_pages, table, BATCH_ROWS)
