"""The `emails` resource: every email, incremental on `timestamp_created`, within 20 requests a
minute (`GET /emails`' own limit, docs/vendors/instantly.md, Emails).

Each run reads `sort_order=asc` from the high-water mark less a lookback: the listing can show an
email some time after its `timestamp_created` (the vendor documents no bound; its sandbox lags
up to 90 s), so the default lookback is ten minutes, and re-read emails already loaded are not
loaded again (RecentVersions). At 100 emails a page and 20 pages a minute, a backfill of a large
workspace takes hours: the resource stops after `email_chunk_seconds` (3 minutes) and the pages
already asked for (read a page ahead, sources.common.paging.ReadAhead), keeps where it
stopped (the last id, `starting_after`) in its state, and asks the runner for another load
(`RunStats.pending`), so each chunk is committed with its data and a killed or time-boxed run
resumes from the last committed chunk, never from the start.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from datetime import datetime
from typing import Any

import dlt

from sources.common import arrow
from sources.common.instants import format_instant
from sources.common.paging import ReadAhead
from sources.common.recent import RecentVersions
from sources.common.state import HighWaterMark
from sources.common.tables import Batched
from sources.instantly import rows
from sources.instantly.extraction import InstantlyRun
from sources.instantly.helpers import pages
from sources.instantly.settings import BATCH_ROWS, EMAILS_PATH, INSTANTLY_TABLES

MARK = "emails_created_at"
RESUME = "emails_resume"  # a chunked read under way: {"from": instant, "after": email id}


def emails(run: InstantlyRun) -> Iterator[Any]:
    settings = run.settings
    state = dlt.current.resource_state()
    mark = HighWaterMark(state, MARK)
    resume = state.get(RESUME)
    start = mark.start(settings.lookback, settings.since)
    params: dict[str, Any] = {"sort_order": "asc"}
    if not settings.bodies:
        params["preview_only"] = "true"
    low = resume["from"] if resume else (format_instant(start) if start else None)
    if low:
        params["min_timestamp_created"] = low
    if resume:
        params["starting_after"] = resume["after"]
    recent = RecentVersions(
        state.get("recent_emails"), settings.lookback, cursor="timestamp_created"
    )
    newest, started = mark.value, time.monotonic()
    batched = Batched(INSTANTLY_TABLES, "emails", BATCH_ROWS)
    known = batched.known_types(run.known_types())
    state.pop(RESUME, None)
    with run.client() as client:
        listing, last = ReadAhead(pages, client, EMAILS_PATH, params), None
        for page, after in listing:
            run.stats.add("rows", len(page))
            newest = yield from _emit(page, newest, recent, settings.bodies, known, batched)
            last = after
            if after is not None and time.monotonic() - started >= settings.email_chunk_seconds:
                listing.finish()  # the pages already asked for are loaded, then the chunk ends
    if listing.finishing and last is not None:
        state[RESUME] = {"from": low, "after": last}
        run.stats.pending("emails")
    yield from batched.flush()
    mark.set(newest)
    state["recent_emails"] = recent.state(newest)


def _emit(
    page: list[dict[str, Any]],
    newest: datetime | None,
    recent: RecentVersions,
    bodies: bool,
    known: Any,
    batched: Batched,
) -> Generator[Any, None, datetime | None]:
    changed, unchanged = recent.split(page)
    for batch, table in ((unchanged, None), (changed, rows.email_table(changed, bodies, known))):
        if not batch:
            continue
        instants = (
            table["timestamp_created"]
            if table is not None
            else arrow.timestamps([e["timestamp_created"] for e in batch])
        )
        if table is not None:
            yield from batched.add(table)
        newest = arrow.newest(instants, than=newest)
        recent.remember([e["id"] for e in batch], [e["timestamp_created"] for e in batch],
                        instants, newest)  # fmt: skip
    return newest
