"""Concurrent paging: every page of every query, and a process that can always exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from sources.common.paging import concurrent_pages
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
