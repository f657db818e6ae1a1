"""Running a source into a destination, and turning failures into one line and an exit code."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import filelock
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.destination.exceptions import UnknownDestinationModule
from dlt.common.runtime.collector import NULL_COLLECTOR, LogCollector
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from sources.common.errors import ConfigurationError, ConnectorError
from sources.common.http import redact

log = logging.getLogger(__name__)


class RunInProgressError(ConnectorError):
    """Another run of the same pipeline holds its lock: this one did nothing."""

    exit_code = 4


# Exit codes, as documented in the README; the errors carry theirs (2, 3 and 4).
OK, FAILED, CONFIG_ERROR = 0, ConnectorError.exit_code, ConfigurationError.exit_code


@dataclass
class RunSummary:
    """What a run did, printed at its end and written as JSON for monitoring."""

    pipeline: str = ""
    destination: str = ""
    dataset: str = ""
    status: str = "ok"
    exit_code: int = OK
    error: str | None = None
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    completed_pending_packages: int = 0
    load_ids: list[str] = field(default_factory=list)

    def failed(self, message: str, exit_code: int) -> None:
        self.status, self.error, self.exit_code = "failed", message, exit_code

    def lines(self) -> list[str]:
        width = max((len(t) for t in self.rows), default=5)
        out = [f"  {table:<{width}} {count:>9,}" for table, count in sorted(self.rows.items())]
        if self.completed_pending_packages:
            out.append(f"  (first completed {self.completed_pending_packages} load package(s)"
                       " left by an interrupted run)")  # fmt: skip
        out.append(f"  {self.seconds:.1f} s, {self.requests:,} requests, {self.retries:,} retries")
        return out

    def write_json(self, path: str) -> None:
        """Whole or not at all: a monitor never reads half a file."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(asdict(self), indent=2) + "\n")
        partial.replace(target)


DESTINATIONS = "use duckdb, postgres, filesystem or another dlt destination (see the README)"
DEFAULT_DUCKDB_FILE = "sequence_funnel.duckdb"  # not <dataset>.duckdb: DuckDB refuses a schema
# named like its catalog ("Ambiguous reference to catalog or schema")


# DuckDB's defaults (80 % of RAM, a thread per core) make a load the peak of a run's memory;
# it spills to disk beyond the limit, and one thread costs nothing measurable at these sizes.
DUCKDB_SETTINGS = {"memory_limit": "96MB", "threads": 1, "preserve_insertion_order": False}


def duckdb_destination(path: str) -> Any:
    return dlt.destinations.duckdb(DuckDbCredentials(path, global_config=dict(DUCKDB_SETTINGS)))


def resolve_destination(name: str) -> Any:
    """`duckdb` writes sequence_funnel.duckdb in the CWD unless configured otherwise."""
    if name == "duckdb":
        configured = dlt.config.get("destination.duckdb.credentials")
        return duckdb_destination(
            configured if isinstance(configured, str) else DEFAULT_DUCKDB_FILE
        )
    return name


def _lineage() -> None:
    """Arrow tables skip dlt's normaliser, which otherwise stamps every row with its load id;
    ask for it, so every table can be traced to its load."""
    dlt.config["normalize.parquet_normalizer.add_dlt_load_id"] = True


def make_pipeline(
    pipeline_name: str,
    destination: Any,
    dataset_name: str,
    pipelines_dir: str | None,
    progress: bool,
) -> dlt.Pipeline:
    _lineage()
    return dlt.pipeline(
        pipeline_name=pipeline_name,
        destination=resolve_destination(destination)
        if isinstance(destination, str)
        else destination,
        dataset_name=dataset_name,
        pipelines_dir=pipelines_dir,
        progress=LogCollector(log_period=5.0) if progress else NULL_COLLECTOR,
    )


@contextmanager
def exclusive(pipeline: dlt.Pipeline) -> Iterator[None]:
    """One run at a time per pipeline: a second run started by an overlapping schedule
    refuses instead of interleaving with the first one's state and load packages. The OS
    releases the lock when its holder dies, so a killed run never leaves it stuck."""
    path = Path(pipeline.pipelines_dir) / f"{pipeline.pipeline_name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path, timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise RunInProgressError(
            f"Another run of pipeline '{pipeline.pipeline_name}' is in progress (lock {path});"
            " this run did nothing: let it finish, or schedule runs further apart"
        ) from None
    try:
        yield
    finally:
        lock.release()


def file_format(pipeline: dlt.Pipeline) -> str | None:
    """Parquet where dlt's default would be slow (DuckDB) or not a lake file (filesystem)."""
    name = pipeline.destination.destination_name
    return "parquet" if name in ("duckdb", "filesystem") else None


def complete_pending(pipeline: dlt.Pipeline) -> int:
    """Load what an interrupted run extracted, and return how many packages that was.
    dlt's run() would do it too, but then stop without extracting anything new."""
    pending = pipeline.list_extracted_load_packages() + pipeline.list_normalized_load_packages()
    if not pending:
        return 0
    log.warning("completing %d load package(s) left by an interrupted run", len(pending))
    pipeline.run(loader_file_format=file_format(pipeline))
    return len(pending)


def run(
    pipeline: dlt.Pipeline,
    source: Any,
    *,
    full_refresh: bool,
    stats: dict[str, int],
    summary: RunSummary | None = None,
) -> RunSummary:
    """Run `source` under the pipeline's lock, after finishing any interrupted load; fills
    `summary` as it goes, so a failed run still reports its requests and duration."""
    summary = summary or RunSummary(
        pipeline=pipeline.pipeline_name, dataset=pipeline.dataset_name,
        destination=pipeline.destination.destination_name,
    )  # fmt: skip
    started = time.perf_counter()
    try:
        with exclusive(pipeline):
            summary.completed_pending_packages = complete_pending(pipeline)
            info = pipeline.run(
                source,
                loader_file_format=file_format(pipeline),
                refresh="drop_sources" if full_refresh else None,
            )
        summary.load_ids = list(info.loads_ids) if info else []
        trace = pipeline.last_trace
        if trace and trace.last_normalize_info:
            counts = trace.last_normalize_info.row_counts
            summary.rows = {t: n for t, n in counts.items() if not t.startswith("_dlt")}
    finally:
        summary.seconds = round(time.perf_counter() - started, 3)
        summary.requests, summary.retries = stats.get("requests", 0), stats.get("retries", 0)
    return summary


def configured_secrets(*keys: str) -> list[str]:
    """The secret values configured for `keys`, to scrub from anything printed."""
    values = []
    for key in keys:
        try:
            value = dlt.secrets.get(key)
        except Exception:
            value = None
        if value:
            values.append(str(value))
    return values


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (getattr(current, "exception", None), current.__cause__, current.__context__):
            if isinstance(nxt, BaseException):
                stack.append(nxt)


def explain(exc: BaseException, secrets: list[str], key_setting: str) -> tuple[str, int]:
    """The one line to print for a failed run, and the exit code."""
    for cause in _chain(exc):
        if isinstance(cause, ConnectorError):
            return redact(str(cause), secrets), cause.exit_code
    for cause in _chain(exc):
        if isinstance(cause, ConfigFieldMissingException):
            missing = ", ".join(cause.fields)
            if "api_key" in missing:
                return f"No API key: set {key_setting}", CONFIG_ERROR
            destination = getattr(cause.config, "destination_type", None)
            if destination:
                keys = " and ".join(
                    f"DESTINATION__{destination}__{f}".upper() for f in cause.fields
                )
                return (
                    f"Destination '{destination}' needs {missing}: set {keys}"
                    f" (or [destination.{destination}] in .dlt/secrets.toml)",
                    CONFIG_ERROR,
                )
            return f"Missing configuration: {missing}", CONFIG_ERROR
        if isinstance(cause, UnknownDestinationModule):
            return f"Unknown destination {cause.ref!r}: {DESTINATIONS}", CONFIG_ERROR
    last = list(_chain(exc))[-1]
    text = f"{type(last).__name__}: {last}".splitlines()[0][:400]
    return redact(f"Run failed: {text}", secrets), FAILED
