"""Concurrent paging: a long range split into time windows, each followed by its own cursor,
several at once, pages handed over as they arrive; one cursor listing read a page ahead; and an
offset listing that shifts while it is paged."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

Page = TypeVar("Page")
Query = TypeVar("Query")


def windows(
    start: datetime | None,
    upper: datetime,
    floor: datetime | None,
    count: int,
    min_window: timedelta,
) -> list[tuple[datetime | None, datetime]]:
    """Split [start, upper] into `count` windows of equal duration for concurrent paging.

    Bounds are inclusive and one microsecond apart, so no row is in two windows. Without a
    start the first window is open below, so it also holds everything older than `floor` (a
    guess at the oldest row, used only to place the boundaries). A range shorter than
    `min_window` per window is not split.
    """
    low = start or floor
    if count <= 1 or low is None or upper - low < min_window * count:
        return [(start, upper)]
    step = (upper - low) / count
    edges = [low + step * k for k in range(count)] + [upper]
    tick = timedelta(microseconds=1)
    spans: list[tuple[datetime | None, datetime]] = []
    for k in range(count):
        lower = start if k == 0 else edges[k]
        spans.append((lower, edges[k + 1] - tick if k < count - 1 else upper))
    return spans


def concurrent_pages(
    pages_of: Callable[[Query], Iterable[Page]], queries: list[Query], workers: int
) -> Iterator[Page]:
    """Every page of several queries (`pages_of(query)` pages one), up to `workers` at once.
    Pages come in arrival order; the first error stops everything and is raised."""
    handoff = _Handoff(pages_of, queries, workers)
    try:
        yield from handoff.pages(len(queries))
    finally:
        handoff.close()


class ReadAhead(Generic[Page]):
    """The pages of one cursor listing, the next fetched by a thread while the consumer works
    on the last. A cursor cannot be split into windows, but its next request can overlap the
    normalising of the page before it: the API's answer is waited for off the consumer's time.
    `pages_of(*args)` pages the listing, in the thread; iterate once.

    A consumer that must stop early (a chunk's time is up) calls `finish`: no page is asked for
    after that, and the iteration ends with the pages already asked for. They are paid for, in
    a budget that bounds the backfill (Instantly's emails: 20 requests a minute), so none is
    thrown away and asked for again by the next run."""

    def __init__(self, pages_of: Callable[..., Iterable[Page]], *args: Any) -> None:
        self._handoff: _Handoff[None, Page] = _Handoff(lambda _: pages_of(*args), [None], 1)
        self.finishing = False

    def __iter__(self) -> Iterator[Page]:
        try:
            yield from self._handoff.pages(1)
        finally:
            self._handoff.close()

    def finish(self) -> None:
        self.finishing = True
        self._handoff.enough.set()


_DONE = object()  # a query's last page was handed over


class _Handoff(Generic[Query, Page]):
    """Threads paging the queries, each page handed to the one consumer through a bounded
    queue (so that paging runs at most a few pages ahead of loading).

    Daemon threads, not a ThreadPoolExecutor: a consumer interrupted between two pages (a
    signal, a failed load) may leave the generator suspended and unclosed until exit, and an
    executor's workers, blocked handing over a page nobody takes, would hold the process at
    exit forever; daemon threads end with it."""

    def __init__(
        self, pages_of: Callable[[Query], Iterable[Page]], queries: list[Query], workers: int
    ) -> None:
        self.pages_of = pages_of
        self.handoff: queue.Queue[Any] = queue.Queue(maxsize=2 * max(1, workers))
        self.stop = threading.Event()
        self.enough = threading.Event()  # ask for no more pages; hand over those asked for
        self.pending: queue.SimpleQueue[Query] = queue.SimpleQueue()
        for query in queries:
            self.pending.put(query)
        self.threads = [threading.Thread(target=self._worker, name=f"pages-{k}", daemon=True)
                        for k in range(max(1, min(workers, len(queries))))]  # fmt: skip
        for thread in self.threads:
            thread.start()

    def pages(self, queries: int) -> Iterator[Page]:
        """The pages as they arrive, until every query is done; a worker's error is raised."""
        while queries:
            item = self.handoff.get()
            if item is _DONE:
                queries -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _put(self, item: Any) -> None:
        while not self.stop.is_set():
            try:
                self.handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _worker(self) -> None:
        while not self.stop.is_set():
            try:
                query = self.pending.get_nowait()
            except queue.Empty:
                return
            self._work(query)

    def _work(self, query: Query) -> None:
        try:
            for page in self.pages_of(query):
                if self.stop.is_set():
                    return
                self._put(page)
                if self.enough.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc)
        finally:
            self._put(_DONE)


Row = TypeVar("Row")
# (offset, limit) -> (the rows there, whether more follow)
OffsetFetch = Callable[[int, int], tuple[list[Row], bool]]


def anchored_offset_pages(
    fetch: OffsetFetch[Row],
    key: Callable[[Row], str],
    *,
    limit: int,
    start: int = 0,
    anchor: str | None = None,
) -> Iterator[tuple[int, list[Row]]]:
    """(offset of the first row, rows) for every row of an offset listing from `start`, each
    row once, though the listing shifts while it is paged.

    Each request overlaps the last row already read (the anchor; at `start`, the caller's
    `anchor` is the row it holds at `start - 1`). When the anchor is not where it was, rows
    were inserted or removed before it: found further on in the page, the rows before it are
    taken too (they may be new); not found, the read steps back a page at a time until it is,
    and from the listing's start when it is gone altogether (duplicates, never gaps: rows are
    merged on their key). The positions yielded are where the rows are now.
    """
    offset = max(0, start)
    if offset <= 0:
        anchor = None
    while True:
        ask = offset - 1 if anchor is not None else offset
        rows, more = fetch(ask, limit)
        if anchor is not None:
            ids = [key(r) for r in rows]
            if anchor in ids:
                at = ids.index(anchor)
                rows, offset = rows[at + 1 :], ask + at + 1
            else:
                offset, rows, more = _step_back(fetch, key, limit, ask, anchor)
                anchor = None if offset == 0 else anchor
        if rows:
            yield offset, rows
            offset += len(rows)
            anchor = key(rows[-1])
        if not more or (not rows and anchor is None):
            return


def _step_back(
    fetch: OffsetFetch[Row], key: Callable[[Row], str], limit: int, ask: int, anchor: str
) -> tuple[int, list[Row], bool]:
    """Where the rows after `anchor` are, looked for before `ask` (it moved back: rows were
    removed), and the first of them; the listing from its start when `anchor` is gone."""
    back = ask
    while back > 0:
        back = max(0, back - (limit - 1))
        rows, more = fetch(back, limit)
        ids = [key(r) for r in rows]
        if anchor in ids:
            at = ids.index(anchor)
            if at + 1 < len(rows) or not more:
                return back + at + 1, rows[at + 1 :], more
            return (back + at + 1, *fetch(back + at + 1, limit))
    return (0, *fetch(0, limit))
