"""Destinations as this project configures them: DuckDB's file and limits, the file format."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import dlt
import duckdb
from dlt.common.destination import TLoaderFileFormat
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

DESTINATIONS = "use duckdb, postgres, filesystem or another dlt destination (see the README)"
DEFAULT_DUCKDB_FILE = "sequence_funnel.duckdb"  # not <dataset>.duckdb: DuckDB refuses a schema
# named like its catalog ("Ambiguous reference to catalog or schema")

# DuckDB's defaults (80 % of RAM, a thread per core) make a load the peak of a run's memory;
# it spills to disk beyond the limit, and one thread costs nothing measurable at these sizes.
DUCKDB_SETTINGS = {"memory_limit": "96MB", "threads": 1, "preserve_insertion_order": False}


def duckdb_destination(path: str) -> Any:
    return dlt.destinations.duckdb(DuckDbCredentials(path, global_config=dict(DUCKDB_SETTINGS)))


def duckdb_file() -> str:
    """The DuckDB file a load writes: DESTINATION__DUCKDB__CREDENTIALS, else
    sequence_funnel.duckdb, a relative path taken from the working directory of this run."""
    configured: Any = dlt.config.get("destination.duckdb.credentials")
    path = configured if isinstance(configured, str) else DEFAULT_DUCKDB_FILE
    if path.startswith(":") or "://" in path or path.startswith("md:"):
        return path  # in memory, or a service: not a file here
    return str(Path(path).expanduser().resolve())


def secret_settings(name: str) -> list[str]:
    """The destination's settings whose values are secrets: a DuckDB file's path is not (an
    error names it), a MotherDuck connection string is."""
    if name == "duckdb" and not duckdb_file().startswith("md:"):
        return []
    return [f"destination.{name}.credentials"]


def resolve_destination(name: str) -> Any:
    """`duckdb` writes sequence_funnel.duckdb in the CWD unless configured otherwise."""
    return duckdb_destination(duckdb_file()) if name == "duckdb" else name


def wait_for_duckdb(path: str, seconds: float) -> None:
    """Wait, at most `seconds`, until no other process holds the DuckDB file (a notebook's or
    a BI tool's connection), before the run spends a request; DuckDB's refusal is raised when
    the file is still held then (pipelines.errors names the file and the holder)."""
    deadline = time.monotonic() + seconds
    while Path(path).is_file():
        try:
            duckdb.connect(path).close()
            return
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                return  # not a lock: the run meets it and reports it
            if time.monotonic() >= deadline:
                raise
        time.sleep(0.25)


def location(pipeline: dlt.Pipeline) -> str | None:
    """Where the data went, never with a password: the DuckDB file, host:port/database, the
    bucket. None when the destination's settings do not resolve (the run's error says why)."""
    try:
        config: Any = pipeline.destination_client().config
    except Exception:
        return None
    credentials: Any = getattr(config, "credentials", None)
    if pipeline.destination.destination_name == "duckdb":
        return str(credentials.database)
    if getattr(credentials, "host", None):
        return f"{credentials.host}:{credentials.port}/{credentials.database}"
    bucket = getattr(config, "bucket_url", None)
    return str(bucket) if bucket else None


def file_format(pipeline: dlt.Pipeline) -> TLoaderFileFormat | None:
    """Parquet where dlt's default would be slow (DuckDB) or not a lake file (filesystem)."""
    name = pipeline.destination.destination_name
    return "parquet" if name in ("duckdb", "filesystem") else None
