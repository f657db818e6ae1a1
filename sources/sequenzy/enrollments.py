"""The `enrollments` resource: every enrollment token of every sequence, of every status.

The listing hides finished tokens unless asked (its default is `active,waiting`), has no
updated-since filter, and pages by offset. It is read with every status and
`sort=enrolled_at_asc`, where each token keeps its place: a new token is appended (it enrolled
now), and a change of status moves no token in or out of a listing of every status, so pages
do not shift under the writes that would shift the default listing. Pages overlap by one token
and check it (sources.common.paging.anchored_offset_pages), so a listing that shifts anyway (a
token deleted) is read again from where it moved, never with a gap.

A finished token never changes again, so the run need not read them all every time: per
sequence, state keeps the settled prefix (every token before the first unfinished one, all
loaded, and the token just before it as the anchor), and a run reads from there on. A token
whose `lastUpdatedAt` is what the destination holds is not loaded again. A long read commits
every `chunk_seconds` and goes on in another load (`RunStats.pending`), from where it stopped.
A sequence whose activity stands since its last complete read is skipped for a while
(sources.sequenzy.activity).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dlt

from sources.common import loaded
from sources.common.errors import NotFoundError
from sources.common.http import ApiClient
from sources.common.notices import notices
from sources.common.paging import ReadAhead
from sources.common.tables import KnownTypes
from sources.sequenzy import helpers, rows
from sources.sequenzy.extraction import SequenzyRun
from sources.sequenzy.settings import BATCH_ROWS, FINISHED, SEQUENZY_TABLES

log = notices("sequenzy")


@dataclass
class Progress:
    """Where one sequence's read is: the next offset and the token before it, and the first
    unfinished token seen in this read (its offset and the token before that)."""

    offset: int
    anchor: str | None
    first_live: int | None = None
    live_anchor: str | None = None

    def state(self) -> dict[str, Any]:
        return {"offset": self.offset, "anchor": self.anchor, "first_live": self.first_live,
                "live_anchor": self.live_anchor}  # fmt: skip


def enrollments(run: SequenzyRun) -> Iterator[Any]:
    state = dlt.current.resource_state()
    kept: dict[str, dict[str, Any]] = state.setdefault("sequences", {})
    before: dict[str, datetime] | None = None  # read from the destination once it is needed
    known = run.known_types()
    with run.client() as client:
        read = False
        for summary in run.listing().sequences:
            entry = kept.setdefault(summary["id"], {"settled": 0, "anchor": None})
            if run.quiet(entry, summary["id"]) and "resume" not in entry:
                continue
            if before is None:
                before = loaded.latest_values("enrollments", "id", "last_updated_at") or {}
            if read and run.out_of_time():
                run.stats.pending("enrollments")
                return
            read = (yield from _sequence(run, client, summary["id"], entry, before, known)) or read


def _sequence(
    run: SequenzyRun,
    client: ApiClient,
    sequence_id: str,
    entry: dict[str, Any],
    before: dict[str, datetime],
    known: KnownTypes,
) -> Generator[Any, None, bool]:
    """The sequence's tokens from where the last read stopped; whether any page was read."""
    resume = entry.pop("resume", None)
    progress = Progress(**resume) if resume else Progress(entry["settled"], entry["anchor"])
    batch: list[dict[str, Any]] = []
    read = False
    try:
        listing = ReadAhead(helpers.enrollment_pages, client, sequence_id, progress.offset,
                            progress.anchor)  # fmt: skip
        for offset, page in listing:
            run.stats.add("rows", len(page))
            read = True
            _scan(progress, offset, page)
            kept = rows.keyed(page, "enrollmentId")
            if len(kept) < len(page):
                log.warning(
                    "Sequenzy listed %d enrollments of sequence %s without `enrollmentId`:"
                    " not loaded", len(page) - len(kept), sequence_id,
                )  # fmt: skip
            batch += [e for e in kept if _changed(before, e)]
            if len(batch) >= BATCH_ROWS:
                yield SEQUENZY_TABLES.tagged("enrollments", rows.enrollment_table(batch, known))
                batch = []
            if not listing.finishing and run.out_of_time():
                listing.finish()  # the pages already asked for are loaded, then it stops
        if listing.finishing:
            entry["resume"] = progress.state()  # the rest in the next load
            run.stats.pending("enrollments")
        else:
            if progress.first_live is None:
                entry["settled"], entry["anchor"] = progress.offset, progress.anchor
            else:
                entry["settled"], entry["anchor"] = progress.first_live, progress.live_anchor
            run.read_whole(entry, sequence_id)
    except NotFoundError:
        pass  # the sequence was deleted since it was listed: its tokens stay as loaded
    if batch:
        yield SEQUENZY_TABLES.tagged("enrollments", rows.enrollment_table(batch, known))
    return read


def _changed(before: dict[str, datetime], token: dict[str, Any]) -> bool:
    return loaded.changed(before, token["enrollmentId"], token.get("lastUpdatedAt"))


def _scan(progress: Progress, offset: int, page: list[dict[str, Any]]) -> None:
    """Note the first unfinished token, and move past the page."""
    previous = progress.anchor
    for i, token in enumerate(page):
        if progress.first_live is None and token.get("status") not in FINISHED:
            progress.first_live = offset + i
            progress.live_anchor = previous
        previous = token.get("enrollmentId")
    progress.offset, progress.anchor = offset + len(page), previous
