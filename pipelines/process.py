"""How the `sequence-funnel` process ends."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import Any, NoReturn


def finished(code: int) -> NoReturn:
    """Exit with `code` once what Python's own exit does that matters is done, in its order: thread
    pools stopped and other threads joined, exit handlers run (dlt's, logging's), output flushed.
    What is skipped is the interpreter's teardown, freeing every module and object one by one: 0.2
    to 0.4 s of every run (measured, bench/unify/RESULTS.md). Nothing is left to it: a run closes
    its files and connections itself, and DuckDB has checkpointed by then (no WAL file is left)."""
    # CPython's own steps at exit (Py_FinalizeEx): without them, exit as usual
    stop_threads = getattr(threading, "_shutdown", None)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if stop_threads is None or run_exit_handlers is None:
        sys.exit(code)
    stop_threads()
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, as Python's exit does
            stream.flush()
    os._exit(code)


class ReaderGone:
    """Standard output that, once its reader has gone (`sequence-funnel demo | head`), writes
    nowhere instead of failing: the run finishes its work and exits as it would have, where a
    `BrokenPipeError` would stop it half-way with exit 1 (Python's own recipe: its output moves
    to os.devnull)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def _gone(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def started() -> None:
    """What the process sets up before a command runs: output that outlives its reader."""
    if not isinstance(sys.stdout, ReaderGone):
        sys.stdout = ReaderGone(sys.stdout)
