"""The `leads` resource: every lead, merged on id, though the API has no updated-since filter.

A full read of `POST /leads/list` when due (`leads_refresh_minutes`); a lead whose
`timestamp_updated` equals what the destination holds is not loaded again, so a run loads only
what changed (sources.common.loaded: the destination, not state, is the reference). After a
complete read, a loaded lead the listing no longer has gets a `lead_deletions` row; one that
comes back has that row deleted. An interrupted read loads nothing of its deletions: only a
complete listing can say what is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import dlt

from sources.common import loaded
from sources.common.state import due, mark_done
from sources.instantly import rows
from sources.instantly.extraction import InstantlyRun
from sources.instantly.helpers import lead_pages
from sources.instantly.settings import BATCH_ROWS, INSTANTLY_TABLES

LEADS_LISTED = "leads_listed_at"


def leads(run: InstantlyRun) -> Iterator[Any]:
    state = dlt.current.resource_state()
    if not due(state, LEADS_LISTED, run.settings.leads_refresh):
        return
    before = loaded.latest_values("leads", "id", "timestamp_updated") or {}
    started = datetime.now(UTC)
    seen: set[str] = set()
    known = run.known_types()
    with run.client() as client:
        pages = (page for page, _ in lead_pages(client))
        stamp = itemgetter("timestamp_updated")  # the document promises it
        for batch in loaded.changed_batches(pages, before, stamp, BATCH_ROWS, run.stats, seen):
            yield INSTANTLY_TABLES.tagged("leads", rows.lead_table(batch, known))
    yield from _deletions(set(before), seen, started)
    mark_done(state, LEADS_LISTED)


def _deletions(loaded_ids: set[str], seen: set[str], started: datetime) -> Iterator[Any]:
    deleted = loaded.keys("lead_deletions", "id") or set()
    gone = sorted(loaded_ids - seen - deleted)
    back = sorted(deleted & seen)
    out = [{"id": i, "deleted_at": started} for i in gone]
    out += [{"id": i, "restored": True} for i in back]
    if out:
        yield INSTANTLY_TABLES.tagged("lead_deletions", out)
