"""The `events` resource: each sequence's event stream, of every type, by time windows.

`GET /metrics/sequences/{id}/events` answers deliveries only unless asked for types: every
documented type is asked for, always. It takes a window of at most 90 days (`start`, `end`)
and pages by number, oldest first. Per sequence, state keeps the mark (every event up to it
is loaded); a run reads from the mark less the lookback (an open or a bounce can be recorded
after later events) up to the API's clock at the run's start (its Date header), in windows of
90 days, which overlap at their bounds (events are merged on their id, and placed by their
`eventTime`, as the SDK's EmailEvent names them). A first load starts at
the sequence's creation, or `initial_since`. Events re-read within the lookback exactly as the
last run loaded them are not loaded again (sources.common.recent). A long read commits every
`chunk_seconds` and goes on from the window and page where it stopped. A sequence whose
activity stands since its last complete read is skipped for a while (sources.sequenzy.activity).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt

from sources.common import arrow
from sources.common.errors import NotFoundError
from sources.common.http import ApiClient
from sources.common.instants import format_instant, parse_instant
from sources.common.paging import ReadAhead
from sources.common.recent import RecentVersions
from sources.common.state import HighWaterMark
from sources.common.tables import Batched, KnownTypes
from sources.sequenzy import helpers, rows
from sources.sequenzy.extraction import SequenzyRun
from sources.sequenzy.settings import BATCH_ROWS, MAX_WINDOW_DAYS, SEQUENZY_TABLES

WINDOW = timedelta(days=MAX_WINDOW_DAYS)


def events(run: SequenzyRun) -> Iterator[Any]:
    state = dlt.current.resource_state()
    kept: dict[str, dict[str, Any]] = state.setdefault("sequences", {})
    listing = run.listing()
    batched = Batched(SEQUENZY_TABLES, "events", BATCH_ROWS)
    known = batched.known_types(run.known_types())
    with run.client() as client:
        read = False
        for summary in listing.sequences:
            if read and run.out_of_time():
                run.stats.pending("events")
                break
            entry = kept.setdefault(summary["id"], {})
            if run.quiet(entry, summary["id"]) and "window" not in entry:
                continue
            found = yield from _sequence(run, client, summary, entry, listing.now, known, batched)
            read = found or read
    yield from batched.flush()  # in the load that commits the marks the rows moved


def windows(low: datetime, high: datetime) -> list[tuple[datetime, datetime]]:
    """[low, high] as windows of at most 90 days, each starting where the last ended."""
    spans = []
    while True:
        end = min(high, low + WINDOW)
        spans.append((low, end))
        if end >= high:
            return spans
        low = end


def _first_start(run: SequenzyRun, summary: dict[str, Any]) -> datetime:
    """Where a first load starts: the sequence's creation, or `initial_since` when later."""
    created = parse_instant(summary["createdAt"]) if summary.get("createdAt") else None
    found = [t for t in (run.settings.since, created) if t is not None]
    return max(found) if found else datetime(2000, 1, 1, tzinfo=UTC)


def _sequence(run: SequenzyRun, client: ApiClient, summary: dict[str, Any],
              entry: dict[str, Any], now: datetime, known: KnownTypes, batched: Batched
              ) -> Generator[Any, None, bool]:  # fmt: skip
    """The sequence's events from where the last read stopped; whether any page was read."""
    sequence_id = summary["id"]
    mark = HighWaterMark(entry, "mark")
    resume = entry.pop("window", None)
    if resume:
        low, high, first_page = parse_instant(resume[0]), parse_instant(resume[1]), resume[2]
        spans = [(low, high)] + (windows(high, now) if high < now else [])
    else:
        start = mark.start(run.settings.lookback, _first_start(run, summary))
        spans, first_page = windows(start or now, now), 1
    recent = RecentVersions(entry.get("recent"), run.settings.lookback, cursor="eventTime")
    read = False
    try:
        for low, high in spans:
            window = ReadAhead(helpers.event_pages, client, sequence_id, low, high, first_page)
            for number, page in window:
                run.stats.add("rows", len(page))
                read = True
                yield from _load(sequence_id, page, recent, high, known, batched)
                if not window.finishing and run.out_of_time():
                    window.finish()  # the pages already asked for are loaded, then it stops
                first_page = number + 1
            if window.finishing:
                entry["window"] = [format_instant(low), format_instant(high), first_page]
                run.stats.pending("events")
                break
            mark.set(high)
            first_page = 1
        else:
            run.read_whole(entry, sequence_id)
    except NotFoundError:
        pass  # deleted since it was listed: its events stay as loaded
    entry["recent"] = recent.state(mark.value)
    return read


def _load(
    sequence_id: str,
    page: list[dict[str, Any]],
    recent: RecentVersions,
    high: datetime,
    known: KnownTypes,
    batched: Batched,
) -> Iterator[Any]:
    for event in page:
        if not event.get("id"):
            event["id"] = rows.event_id(sequence_id, event)
    ids, stamps = [e["id"] for e in page], [e.get("eventTime") for e in page]
    # an event without its time cannot be told unchanged: it is loaded each time it is read
    same = recent.unchanged(ids, stamps)
    changed = [e for e, s, t in zip(page, same, stamps, strict=True) if not s or t is None]
    if changed:
        yield from batched.add(rows.event_table(sequence_id, changed, known))
    recent.remember(ids, stamps, arrow.timestamps(stamps), high)
