"""Offset paging that stays exact while the listing shifts under it (anchored pages)."""

from __future__ import annotations

from collections.abc import Callable

from sources.common.paging import anchored_offset_pages


def _listing(rows: list[str], before_each: Callable[[int, list[str]], None]):
    calls = []

    def fetch(offset: int, limit: int) -> tuple[list[str], bool]:
        before_each(len(calls), rows)
        calls.append(offset)
        return rows[offset : offset + limit], offset + limit < len(rows)

    return fetch, calls


def _read(fetch, start: int = 0, anchor: str | None = None) -> list[str]:
    out = []
    for _, page in anchored_offset_pages(fetch, str, limit=10, start=start, anchor=anchor):
        out += page
    return out


def test_rows_removed_before_the_position_cost_a_step_back_and_leave_no_gap():
    rows = [f"r{k:03}" for k in range(50)]

    def remove_early(call: int, live: list[str]) -> None:
        if call in (2, 4):
            del live[3:6]  # three rows already read go away

    fetch, _ = _listing(rows, remove_early)
    read = _read(fetch)
    assert set(rows) <= set(read)  # every row still there was read


def test_rows_inserted_before_the_position_are_read_again_not_skipped():
    rows = [f"r{k:03}" for k in range(50)]

    def insert_early(call: int, live: list[str]) -> None:
        if call == 2:
            live[0:0] = ["new1", "new2"]

    fetch, _ = _listing(rows, insert_early)
    read = _read(fetch)
    assert set(f"r{k:03}" for k in range(50)) <= set(read)


def test_a_start_whose_anchor_is_gone_reads_from_the_beginning():
    rows = [f"r{k:03}" for k in range(30)]
    fetch, calls = _listing(rows, lambda call, live: None)
    assert _read(fetch, start=20, anchor="r019") == rows[20:]  # held: one overlap request
    assert calls[0] == 19
    assert sorted(_read(fetch, start=20, anchor="gone")) == rows  # not found anywhere
