"""`load <vendor> --parallel N`: each workspace's load in a child process of its own, N at a
time, the funnel models built once by the parent after them.

A process per workspace, not a thread: dlt's configuration overrides for a load
(runner.load_config) are process-wide, and a workspace that fails or is killed takes nothing
else with it. Each child (`python -m pipelines.workspace_load`) dies with the parent
(pipelines.children), reads the command's arguments from a file the parent wrote (no key is
in them: each child reads its workspace's key from the configuration, as the parent did), and
writes its run summary as JSON, which the parent reads back.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipelines.children import kill_group
from pipelines.summary import RunSummary

CHILD = "pipelines.workspace_load"  # the child's module
POLL_SECONDS = 0.05
STOP_SECONDS = 15.0  # a child told to stop (SIGTERM) has this long to write its summary


def load_all(
    args: argparse.Namespace,
    shares: dict[str, float],
    parallel: int,
    done: dict[str, RunSummary],
    say: Callable[[str], None],
) -> None:
    """Each workspace of `shares` loaded by a child, `parallel` at a time, its summary put in
    `done` as it ends; `shares[name]`: the part of the vendor's rate limits the workspace's load
    may use (several loads on one budget split it). On an exception (an interrupt) the children
    still running are stopped, and each writes its summary as interrupted."""
    names = list(shares)
    with tempfile.TemporaryDirectory(prefix="sequence-funnel-workspaces-") as scratch:
        folder = Path(scratch)
        given = folder / "args.json"
        given.write_text(json.dumps(vars(args)))
        waiting, running = list(names), dict[str, subprocess.Popen]()
        try:
            while waiting or running:
                while waiting and len(running) < parallel:
                    name = waiting.pop(0)
                    running[name] = _start(folder, given, name, shares[name])
                    say(f"{name}: loading")
                for name, child in list(running.items()):
                    if child.poll() is not None:
                        kill_group(running.pop(name))
                        done[name] = _summary(folder, name, child.returncode)
                        say(f"{name}: {_outcome(done[name])}")
                time.sleep(POLL_SECONDS)
        finally:
            _stop(running)
            for name in running:
                done[name] = _summary(folder, name, running[name].returncode)


def _start(folder: Path, given: Path, name: str, share: float) -> subprocess.Popen:
    argv = [sys.executable, "-m", CHILD, str(os.getpid()), str(given), name, str(share),
            str(folder / f"{name}.json")]  # fmt: skip
    env = os.environ | {"FUNNEL__BUILD": "false"}  # the parent builds once, after them all
    with open(folder / f"{name}.log", "wb") as output:
        return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                stderr=subprocess.STDOUT, process_group=0)  # fmt: skip


def _stop(running: dict[str, subprocess.Popen]) -> None:
    """Tell each child to stop as an interrupted run does (it writes its summary), then kill
    what is left of it."""
    for child in running.values():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in running.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        kill_group(child)


def _summary(folder: Path, name: str, code: int | None) -> RunSummary:
    """The child's own summary, or when it wrote none (killed), one that says how it ended."""
    written = folder / f"{name}.json"
    if written.is_file():
        return RunSummary(**json.loads(written.read_text()))
    lines = (folder / f"{name}.log").read_text(errors="replace").strip().splitlines()
    ended = int(code if code is not None else -signal.SIGKILL)
    how = f"signal {-ended}" if ended < 0 else f"exit {ended}"
    summary = RunSummary()
    summary.failed(f"the load ended ({how}): {(lines or ['no output'])[-1][:300]}",
                   128 - ended if ended < 0 else ended or 1)  # fmt: skip
    return summary


def _outcome(summary: RunSummary) -> str:
    if summary.exit_code:
        return f"failed: {summary.error}"
    rows = sum(summary.rows.values())
    return f"loaded {rows:,} rows in {summary.seconds:.1f} s" if rows else "nothing new"
