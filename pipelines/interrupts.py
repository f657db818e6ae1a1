"""SIGTERM and SIGINT during a run end it as an error with a summary, not a silent death.

A scheduler's timeout sends SIGTERM (cron wrappers, systemd, Kubernetes, GitHub Actions); Python's
default for it is to die at once, printing nothing. While a load runs, both signals raise
`RunInterrupted` in the main thread instead: dlt abandons the step it is in (state is committed
only with a load, so nothing ahead of the loaded data is kept), the run prints its one-line
error and writes its JSON summary, and exits 128 + the signal's number (143, 130), as a shell
reports a process ended by that signal. The next run finishes what was extracted and goes on.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class RunInterrupted(KeyboardInterrupt):
    """A KeyboardInterrupt, so that code which lets Ctrl-C through lets this through too."""

    def __init__(self, signum: int) -> None:
        self.signal = signal.Signals(signum)
        self.exit_code = 128 + signum
        super().__init__(
            f"interrupted by {self.signal.name}: nothing after the last completed load was"
            " kept, and the next run takes over from there"
        )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise RunInterrupted(signum)


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT raise `RunInterrupted` (main thread only)."""
    previous = {s: signal.signal(s, _interrupt) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
