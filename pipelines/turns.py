"""Runs of ours taking turns on what two of them must not share at once: a pipeline (its state
and load packages) and a DuckDB file (DuckDB lets one process write it, and no reader beside a
writer). A file lock per thing; the OS releases it when its holder dies, so a killed run never
leaves one stuck."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dlt
import filelock

from pipelines.destinations import location, wait_for_duckdb
from sources.common.errors import ConnectorError


class RunInProgressError(ConnectorError):
    """Another run of ours holds the turn: this one did nothing."""

    exit_code = 4  # busy: retry later (also a DuckDB file held elsewhere, pipelines.errors)


@contextmanager
def exclusive(pipeline: dlt.Pipeline, wait: float = 0.0) -> Iterator[None]:
    """One run at a time per pipeline: a second run started by an overlapping schedule
    refuses (after waiting up to `wait` seconds) instead of interleaving with the first one's
    state and load packages."""
    path = Path(pipeline.pipelines_dir) / f"{pipeline.pipeline_name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    refusal = (
        f"Another run of pipeline '{pipeline.pipeline_name}' is in progress (lock {path});"
        " this run did nothing: let it finish, add --wait SECONDS, or schedule runs"
        " further apart"
    )
    with _locked(str(path), wait, refusal):
        yield


@contextmanager
def one_writer(
    pipeline: dlt.Pipeline,
    wait: float = 0.0,
    say: Callable[[str], None] | None = None,
    where: str | None = None,
    held_wait: float | None = None,
) -> Iterator[None]:
    """The DuckDB file's turn (`duckdb_turn`) for a run of `pipeline`: two vendors' loads, the
    workspaces of a parallel load, or a load and the funnel's build, on one file. Other
    destinations take concurrent writers: nothing to wait for. `where`: the pipeline's
    location, when the caller has it."""
    if pipeline.destination.destination_name != "duckdb":
        yield
        return
    database = where or location(pipeline)
    if database is None or database.startswith(":"):
        yield
        return
    with duckdb_turn(database, wait, say, held_wait):
        yield


@contextmanager
def duckdb_turn(
    database: str,
    wait: float = 0.0,
    say: Callable[[str], None] | None = None,
    held_wait: float | None = None,
    read_only: bool = False,
) -> Iterator[None]:
    """The turn of our runs on a DuckDB file: a second run waits up to `wait` seconds for it
    (saying so: a line when it starts waiting, one when its turn comes), instead of one failing
    on DuckDB's lock half-way. In its turn, it then waits up to `held_wait` seconds (`wait`
    unless given) for a process that takes no turns (a notebook's or a BI tool's connection) to
    let go, before a request is spent. That check opens the file, so it is made only in turn:
    made while another run wrote, it took DuckDB's lock the moment that run reconnected and
    failed it (a parallel load of 20 workspaces lost five). A reader (`read_only`) checks for a
    writer only."""
    refusal = (
        f"Another run uses the DuckDB file {database} (lock {database}.lock); this run"
        " did nothing: let it finish, add --wait SECONDS, or schedule runs apart"
    )
    lines = (
        f"another run using the DuckDB file {database}",
        f"the DuckDB file {database} is free",
    )
    with _locked(f"{database}.lock", wait, refusal, say, lines):
        held = wait if held_wait is None else held_wait
        wait_for_duckdb(database, held, read_only=read_only, say=say)
        yield


@contextmanager
def _locked(
    path: str,
    wait: float,
    refusal: str,
    say: Callable[[str], None] | None = None,
    lines: tuple[str, str] = ("", ""),
) -> Iterator[None]:
    """The lock at `path` for the block, waiting up to `wait` seconds for its holder (and with
    `say`, a line when the wait starts and one when it ends: `lines`, what is waited for and
    what is then free); RunInProgressError(`refusal`) when it does not come."""
    lock = filelock.FileLock(path, timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        if wait <= 0:
            raise RunInProgressError(refusal) from None
        started = time.monotonic()
        if say is not None:
            say(f"waiting up to {wait:.0f} s for {lines[0]}")
        try:
            lock.acquire(timeout=wait)
        except filelock.Timeout:
            raise RunInProgressError(refusal) from None
        if say is not None:
            say(f"{lines[1]} after {time.monotonic() - started:.0f} s")
    try:
        yield
    finally:
        lock.release()
