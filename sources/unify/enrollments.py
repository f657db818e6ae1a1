"""The `enrollments` resource: enrollments updated since the high-water mark less a lookback,
with everything they embed (persons, mailboxes, plays, replies, classifications, history).

Every run pages the list endpoint over `updated_at` windows, concurrently on long ranges: it
alone gives every column (a Bulk API row has no created_at, is_excluded, reply received_at or
mailbox details). A first load also runs one Bulk API query job (unless `backfill` is `list`,
or the daily job budget is spent) for what only bulk rows carry: companies, their descriptions,
mailbox routing (enrollment_rows.bulk_only_tables). List pages are read by Arrow where they hold
the documented shape (list_pages), row by row where not (enrollment_rows). Re-read rows that are
exactly what the last run loaded are not loaded again (RecentVersions). Sequences the
enrollments name but the listing lacks are looked up at the end, when `sequences` is extracted
too.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa

from sources.common import arrow
from sources.common.http import ApiClient, ApiResponse
from sources.common.instants import format_instant, server_time
from sources.common.notices import notices
from sources.common.paging import concurrent_pages, windows
from sources.common.recent import RecentVersions
from sources.common.state import HighWaterMark
from sources.common.tables import KnownTypes
from sources.unify import list_pages, query_jobs, sequence_rows
from sources.unify.bulk_pages import ResultsPage
from sources.unify.enrollment_rows import bulk_only_tables, list_enrollment_tables
from sources.unify.extraction import Listing, UnifyRun
from sources.unify.helpers import first_page, pages
from sources.unify.sequences import unlisted_sequences
from sources.unify.settings import (
    BATCH_ROWS,
    CLOCK_SKEW_SECONDS,
    MIN_WINDOW,
    UNIFY_TABLES,
    WINDOWS_PER_WORKER,
)

log = notices("unify")
MARK = "enrollments_updated_at"


def enrollments(run: UnifyRun) -> Iterator[Any]:
    source_state = run.source_state()
    state = dlt.current.resource_state()
    mark = HighWaterMark(state, MARK)
    if run.settings.since is not None and mark.value is not None:
        log.warning("--since (initial_updated_after) applies to a first load only: this pipeline"
                    " has enrollments up to %s, and goes on from there; --full-refresh reloads"
                    " from the date", format_instant(mark.value))  # fmt: skip
    with run.client(run.settings.concurrency) as client:
        listing = run.listing(client)
        if run.settings.bulk_backfill and mark.value is None:
            yield from _bulk_only_tables(client, run, listing)
        embedded = yield from _listed(client, run, source_state, state, mark, listing)
        if run.selected("sequences"):
            listed = None if listing is None else set(listing.listed)
            yield from unlisted_sequences(client, source_state, embedded, listed)


def _bulk_only_tables(
    client: ApiClient, run: UnifyRun, listing: Listing | None
) -> Generator[Any, None, None]:
    """A first load's query job, for the tables only bulk rows fill; the list pass that follows
    loads everything else, and sets the mark."""
    known = run.known_types()

    def normalise(rows: ResultsPage) -> dict[str, pa.Table]:
        return bulk_only_tables(rows, known)

    upper = listing.upper if listing else None
    try:
        yield from run.settings.jobs.export(
            client, query_jobs.ENROLLMENTS, run.settings.since, upper, normalise, None
        )
    except query_jobs.JobBudgetSpent as exc:
        log.warning("companies and mailbox routing wait for a later first load: the daily"
                    " query-job budget is spent (%s)", exc)  # fmt: skip


def _listed(client: ApiClient, run: UnifyRun, source_state: dict[str, Any],
            state: dict[str, Any], mark: HighWaterMark, listing: Listing | None
            ) -> Generator[Any, None, dict[str, dict[str, Any]]]:  # fmt: skip
    """Enrollments updated in [mark - lookback, upper], the range split into windows paged
    concurrently, handed to dlt as Arrow batches; returns the embedded sequences.

    Without an upper bound yet, the first page is asked for without one and the API's clock on
    that answer becomes the bound: when that page is the only one, the run took one request."""
    settings = run.settings
    start = mark.start(settings.lookback, settings.since)
    upper = listing.upper if listing else None
    responses: Iterable[ApiResponse] | None = None
    if upper is None:
        low = [("updated_after", format_instant(start))] if start is not None else []
        probe = first_page(client, "/enrollments", "enrollments", low, list_pages.read_list_page)
        upper = server_time(probe.headers, timedelta(seconds=CLOCK_SKEW_SECONDS))
        if not probe.body.get("next_cursor"):
            responses = [probe]
    ahead = round((upper - datetime.now(UTC)).total_seconds())
    if abs(ahead - source_state.get("api_clock_ahead_seconds", 0)) >= 5:  # unchanged: no load
        source_state["api_clock_ahead_seconds"] = ahead
    if responses is None:
        count = settings.concurrency * WINDOWS_PER_WORKER
        spans = windows(start, upper, listing.floor if listing else None, count, MIN_WINDOW)
        # newest first: recent updates are the densest, and a window started last that holds
        # the most pages keeps the run waiting on it alone (measured, bench/unify/RESULTS.md)
        queries = [_window_params(low, high) for low, high in reversed(spans)]
        read = list_pages.read_list_page
        responses = concurrent_pages(
            lambda q: pages(client, "/enrollments", "enrollments", q, read), queries,
            settings.concurrency,
        )  # fmt: skip
    newest = mark.value
    recent = RecentVersions(state.get("recent_versions"), settings.lookback)
    known = run.known_types()
    embedded: dict[str, dict[str, Any]] = {}
    batch: list[list[dict[str, Any]] | pa.Array] = []  # pages, as dicts or read by Arrow
    for response in responses:
        page = response.body["enrollments"]
        client.stats.add("rows", len(page))  # for the progress report
        batch.append(page)
        if sum(map(len, batch)) >= BATCH_ROWS:
            newest = yield from _emit(batch, newest, recent, known, embedded)
            batch = []
    newest = yield from _emit(batch, newest, recent, known, embedded)
    mark.set(newest)
    state["recent_versions"] = recent.state(newest)
    return embedded


def _window_params(low: datetime | None, high: datetime) -> list[tuple[str, Any]]:
    params: list[tuple[str, Any]] = [("updated_before", format_instant(high))]
    return params + ([("updated_after", format_instant(low))] if low is not None else [])


def _emit(
    batch: list[list[dict[str, Any]] | pa.Array],
    newest: datetime | None,
    recent: RecentVersions,
    known: KnownTypes,
    embedded: dict[str, dict[str, Any]],
) -> Generator[Any, None, datetime | None]:
    """Yield a batch of pages as Arrow tables, less what the last run loaded exactly so, and add
    the sequences they embed to `embedded`; returns the newest updated_at seen so far. Pages
    read as dicts go as one, then those read by Arrow as one."""
    arrays = [page for page in batch if isinstance(page, pa.Array)]
    rows = [row for page in batch if not isinstance(page, pa.Array) for row in page]
    if rows:
        embedded |= sequence_rows.embedded_sequences(rows)
        ids = [e["id"] for e in rows]
        stamps = pa.array([e["updated_at"] for e in rows], pa.string())
        newest = yield from _emit_changed(rows, ids, stamps, newest, recent, known)
    if arrays:
        column = pa.chunked_array(arrays)
        embedded |= list_pages.embedded_sequences(column)
        ids = arrow.nested(column, "id").to_pylist()
        stamps = arrow.nested(column, "updated_at")
        newest = yield from _emit_changed(column, ids, stamps, newest, recent, known)
    return newest


def _emit_changed(
    enrollments: list[dict[str, Any]] | pa.ChunkedArray,
    ids: list[str],
    stamps: pa.Array | pa.ChunkedArray,
    newest: datetime | None,
    recent: RecentVersions,
    known: KnownTypes,
) -> Generator[Any, None, datetime | None]:
    """`stamps`: the enrollments' updated_at as the API wrote it."""
    texts = stamps.to_pylist()
    same = recent.unchanged(ids, texts)
    if any(same):
        kept = [i for i, s in enumerate(same) if s]
        again = arrow.timestamps(stamps.take(arrow.positions(kept)))
        newest = _seen(recent, [ids[i] for i in kept], [texts[i] for i in kept], again, newest)
    if all(same):
        return newest
    changed = [i for i, s in enumerate(same) if not s]
    if len(changed) < len(ids):
        ids, texts = [ids[i] for i in changed], [texts[i] for i in changed]
        if isinstance(enrollments, list):
            enrollments = [enrollments[i] for i in changed]
        else:
            enrollments = enrollments.take(arrow.positions(changed))
    if isinstance(enrollments, list):
        tables = list_enrollment_tables(enrollments, known)
    else:
        tables = list_pages.list_page_tables(enrollments)
    yield from UNIFY_TABLES.tagged_all(tables)
    return _seen(recent, ids, texts, tables["enrollments"]["updated_at"], newest)


def _seen(
    recent: RecentVersions,
    ids: list[str],
    texts: list[str],
    instants: Any,
    newest: datetime | None,
) -> datetime:
    """Advance the newest updated_at with these rows, and remember them; returns it."""
    newest = arrow.newest(instants, than=newest)
    recent.remember(ids, texts, instants, newest)
    return newest
