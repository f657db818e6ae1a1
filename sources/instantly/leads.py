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

from sources.common import loaded
from sources.common.http import ApiClient
from sources.common.paging import ReadAhead
from sources.common.tables import KnownTypes
from sources.instantly import rows
from sources.instantly.extraction import InstantlyRun
from sources.instantly.helpers import lead_pages
from sources.instantly.settings import BATCH_ROWS, INSTANTLY_TABLES

LEADS = loaded.FullRead("leads", "timestamp_updated", itemgetter("timestamp_updated"),
                        "leads_listed_at")  # fmt: skip


def leads(run: InstantlyRun) -> Iterator[Any]:
    started = datetime.now(UTC)

    def table(batch: list[dict[str, Any]], known: KnownTypes) -> Any:
        return INSTANTLY_TABLES.tagged("leads", rows.lead_table(batch, known))

    def gone(loaded_ids: set[str], seen: set[str]) -> Iterator[Any]:
        return _deletions(loaded_ids, seen, started)

    def pages(client: ApiClient) -> Iterator[list[dict[str, Any]]]:
        return (page for page, _ in ReadAhead(lead_pages, client))

    yield from LEADS.read(run, run.settings.refresh("leads"), pages, table, BATCH_ROWS, gone)


def _deletions(loaded_ids: set[str], seen: set[str], started: datetime) -> Iterator[Any]:
    deleted = loaded.keys("lead_deletions", "id") or set()
    gone = sorted(loaded_ids - seen - deleted)
    back = sorted(deleted & seen)
    out = [{"id": i, "deleted_at": started} for i in gone]
    out += [{"id": i, "restored": True} for i in back]
    if out:
        yield INSTANTLY_TABLES.tagged("lead_deletions", out)
