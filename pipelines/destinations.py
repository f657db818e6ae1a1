"""Destinations as this project configures them: DuckDB's file and limits, the file format."""

from __future__ import annotations

from typing import Any

import dlt
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


def resolve_destination(name: str) -> Any:
    """`duckdb` writes sequence_funnel.duckdb in the CWD unless configured otherwise."""
    if name == "duckdb":
        configured: Any = dlt.config.get("destination.duckdb.credentials")
        return duckdb_destination(
            configured if isinstance(configured, str) else DEFAULT_DUCKDB_FILE
        )
    return name


def file_format(pipeline: dlt.Pipeline) -> TLoaderFileFormat | None:
    """Parquet where dlt's default would be slow (DuckDB) or not a lake file (filesystem)."""
    name = pipeline.destination.destination_name
    return "parquet" if name in ("duckdb", "filesystem") else None
