"""`load <vendor> --parallel N`: the workspaces loaded by N worker processes, each taking the
next workspace nobody has taken until none is left; the funnel models built once by the parent
after them.

Processes, not threads: dlt's configuration overrides for a load (runner.load_config) are
process-wide, and a worker that fails or is killed takes no other worker with it. A worker per
slot, not per workspace: each process pays the imports (about 1.5 s of CPU), which made
`--parallel 4` of 20 small workspaces slower than one at a time on two cores (bench/WORKSPACES.md).
Each worker (`python -m pipelines.workspace_load`) dies with the parent (pipelines.children),
reads the command's arguments from a file the parent wrote (no key is in them: each worker reads
its workspaces' keys from the configuration, as the parent did), takes a workspace by creating
its claim file (O_EXCL: one taker), and writes its run summary as JSON, which the parent reads.
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

WORKER = "pipelines.workspace_load"  # the worker's module
POLL_SECONDS = 0.05
STOP_SECONDS = 15.0  # a worker told to stop (SIGTERM) has this long to write its summary


def claim(folder: Path, name: str, worker: int) -> bool:
    """Whether `worker` took workspace `name` (its claim file created, naming the worker), or
    another worker had."""
    try:
        handle = os.open(folder / f"{name}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w") as written:
        written.write(str(worker))
    return True


def load_all(
    args: argparse.Namespace,
    shares: dict[str, float],
    parallel: int,
    done: dict[str, RunSummary],
    say: Callable[[str], None],
) -> None:
    """Each workspace of `shares` loaded by one of `parallel` workers, its summary put in `done`
    as it ends (none for a workspace no worker took: they all ended before it). `shares[name]`:
    the part of the vendor's rate limits the workspace's load may use (several loads on one
    budget split it). On an exception (an interrupt) the workers are stopped, and each writes
    its workspace's summary as interrupted."""
    names = list(shares)
    with tempfile.TemporaryDirectory(prefix="sequence-funnel-workspaces-") as scratch:
        folder = Path(scratch)
        (folder / "args.json").write_text(json.dumps(vars(args)))
        (folder / "shares.json").write_text(json.dumps(shares))
        workers = {k: _start(folder, k) for k in range(min(parallel, len(names)))}
        started: set[str] = set()
        try:
            while workers:
                _follow(folder, names, started, done, say)
                for k, worker in list(workers.items()):
                    if worker.poll() is not None:
                        kill_group(workers.pop(k))
                        _follow(folder, names, started, done, say)
                        for name in _taken_by(folder, names, k, done):
                            done[name] = _summary(folder, name, k, worker.returncode)
                            say(f"{name}: {_outcome(done[name])}")
                time.sleep(POLL_SECONDS)
        finally:
            _stop(workers)
            for k, worker in workers.items():
                for name in _taken_by(folder, names, k, done):
                    done[name] = _summary(folder, name, k, worker.returncode)


def _start(folder: Path, worker: int) -> subprocess.Popen:
    argv = [sys.executable, "-m", WORKER, str(os.getpid()), str(folder), str(worker)]
    env = os.environ | {"FUNNEL__BUILD": "false"}  # the parent builds once, after them all
    with open(folder / f"worker-{worker}.log", "wb") as output:
        return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                stderr=subprocess.STDOUT, process_group=0)  # fmt: skip


def _follow(folder: Path, names: list[str], started: set[str], done: dict[str, RunSummary],
            say: Callable[[str], None]) -> None:  # fmt: skip
    """A line for each workspace a worker has taken, and for each one it has finished."""
    for name in names:
        if name not in started and (folder / f"{name}.claim").is_file():
            started.add(name)
            say(f"{name}: loading")
        written = folder / f"{name}.json"
        if name not in done and written.is_file():
            done[name] = RunSummary(**json.loads(written.read_text()))
            say(f"{name}: {_outcome(done[name])}")


def _taken_by(folder: Path, names: list[str], worker: int,
              done: dict[str, RunSummary]) -> list[str]:  # fmt: skip
    """The workspaces `worker` took and left without a summary (it was killed, or it ended)."""
    taken = [n for n in names if n not in done and (folder / f"{n}.claim").is_file()]
    return [n for n in taken if (folder / f"{n}.claim").read_text() == str(worker)]


def _stop(workers: dict[int, subprocess.Popen]) -> None:
    """Tell each worker to stop as an interrupted run does (it writes its summary), then kill
    what is left of it."""
    for worker in workers.values():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=max(0.0, deadline - time.monotonic()))
        kill_group(worker)


def _summary(folder: Path, name: str, worker: int, code: int | None) -> RunSummary:
    """The worker's summary of `name`, or when it wrote none (killed), one that says how the
    worker ended."""
    written = folder / f"{name}.json"
    if written.is_file():
        return RunSummary(**json.loads(written.read_text()))
    log = (folder / f"worker-{worker}.log").read_text(errors="replace")
    lines = log.strip().splitlines()
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
