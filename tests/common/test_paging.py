"""Concurrent paging: every page of every query, and a process that can always exit; one
cursor listing read a page ahead, in order, its errors raised, and a listing told to finish
asks for no more pages and hands over every page it asked for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest

from sources.common.errors import NotFoundError
from sources.common.paging import ReadAhead, concurrent_pages
from tests.support.cli import ROOT


def test_every_page_of_every_query_arrives_once():
    def pages_of(query: int):
        return [(query, page) for page in range(query)]

    seen = sorted(concurrent_pages(pages_of, [3, 0, 5, 1], workers=2))
    assert seen == sorted((q, p) for q in (3, 0, 5, 1) for p in range(q))


def test_a_consumer_that_stops_between_pages_never_holds_the_process_at_exit():
    """An interrupted load can leave the paging generator suspended, unclosed, while its
    workers wait to hand over pages nobody takes: the process must still exit at once."""
    script = textwrap.dedent("""
        import itertools
        from sources.common.paging import concurrent_pages

        def endless(query):
            return itertools.count()

        kept = concurrent_pages(endless, [1, 2, 3], workers=3)
        next(kept)  # then never closed, as a generator referenced by a traceback
        print("leaving")
    """)  # fmt: skip
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0 and "leaving" in run.stdout, run.stderr


def test_a_listing_read_ahead_keeps_its_order_and_its_arguments():
    def listing(start: int, stop: int) -> Iterator[int]:
        yield from range(start, stop)

    assert list(ReadAhead(listing, 3, 40)) == list(range(3, 40))


def test_a_listing_read_ahead_raises_its_error_where_the_page_would_have_been():
    """A sequence deleted mid-read answers 404: its reader catches NotFoundError after the
    pages before it, as without the thread."""

    def listing() -> Iterator[int]:
        yield 1
        yield 2
        raise NotFoundError("gone")

    seen = []
    with pytest.raises(NotFoundError, match="gone"):
        for page in ReadAhead(listing):
            seen.append(page)
    assert seen == [1, 2]


def _long_listing(asked: list[int]) -> Iterator[int]:
    """A listing of 1,000 pages that notes each page as it is asked for."""
    for page in range(1000):
        asked.append(page)
        yield page


def test_a_consumer_that_stops_ends_the_thread_and_the_listing_a_few_pages_on():
    """A consumer that breaks off (an error on its side) stops the thread with it, having
    asked for at most the pages its hand-over holds and the one in flight."""
    fetched: list[int] = []
    before = threading.active_count()
    for page in ReadAhead(_long_listing, fetched):
        if page == 5:
            break
    assert threading.active_count() == before
    assert 6 <= len(fetched) <= 6 + 3


def test_a_listing_told_to_finish_hands_over_every_page_it_asked_for_and_asks_no_more():
    """A chunk's time is up: no request is thrown away (each is paid for in a budget, as
    Instantly's 20 email pages a minute) and the next run goes on after the last page taken."""
    asked: list[int] = []
    before = threading.active_count()
    pages = ReadAhead(_long_listing, asked)
    taken = []
    for page in pages:
        taken.append(page)
        if page == 5:
            pages.finish()
    assert pages.finishing and taken == asked and len(asked) <= 6 + 3
    assert threading.active_count() == before
