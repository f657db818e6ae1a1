"""Child processes that cannot outlive the run that started them (the funnel's dbt build, each
workspace's load of a parallel run).

A plain child goes on after its parent is killed (kill -9, the OOM killer, a scheduler's
timeout, a container stop), holding the DuckDB file or spending the API's budget: the next
scheduled run then fails on the file's lock. So a child here
- dies with its parent: the parent-death signal (Linux's PR_SET_PDEATHSIG), set by the child
  itself (a `preexec_fn` is unsafe in a process with threads), then a check that the parent did
  not die before it was set, and a watchdog thread for systems without that signal (`die_with`);
- runs in its own process group, which the parent kills on every way out (`kill_group`).

This module imports only the standard library: a child calls `die_with` before anything else.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_SECONDS = 0.5


def kill_group(child: subprocess.Popen) -> None:
    """The child and anything it started, unless they have ended."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def die_with(parent: int) -> None:
    """Ends this process as soon as `parent` is gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the signal was set
        os._exit(128 + signal.SIGKILL)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(128 + signal.SIGKILL)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
