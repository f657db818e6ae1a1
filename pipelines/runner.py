"""Running a source into a destination, and turning failures into one line and an exit code."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.runtime.collector import NULL_COLLECTOR, LogCollector
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from sources.common.errors import ConfigurationError, ConnectorError
from sources.common.http import redact

# Exit codes, as documented in the README; the errors carry theirs (2 and 3).
OK, FAILED, CONFIG_ERROR = 0, ConnectorError.exit_code, ConfigurationError.exit_code


@dataclass
class RunSummary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    requests: int = 0
    retries: int = 0

    def lines(self) -> list[str]:
        width = max((len(t) for t in self.rows), default=5)
        out = [f"  {table:<{width}} {count:>9,}" for table, count in sorted(self.rows.items())]
        out.append(f"  {self.seconds:.1f} s, {self.requests:,} requests, {self.retries:,} retries")
        return out


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


def run(
    pipeline: dlt.Pipeline, source: Any, *, full_refresh: bool, stats: dict[str, int]
) -> RunSummary:
    started = time.perf_counter()
    file_format = "parquet" if pipeline.destination.destination_name == "duckdb" else None
    pipeline.run(
        source,
        loader_file_format=file_format,
        refresh="drop_sources" if full_refresh else None,
    )
    summary = RunSummary(seconds=time.perf_counter() - started)
    trace = pipeline.last_trace
    if trace and trace.last_normalize_info:
        counts = trace.last_normalize_info.row_counts
        summary.rows = {t: n for t, n in counts.items() if not t.startswith("_dlt")}
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
            return f"Missing configuration: {missing}", CONFIG_ERROR
    last = list(_chain(exc))[-1]
    text = f"{type(last).__name__}: {last}".splitlines()[0][:400]
    return redact(f"Run failed: {text}", secrets), FAILED
