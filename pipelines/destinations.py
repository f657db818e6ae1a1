"""Destinations as this project configures them: the DuckDB file and its limits, the checks made
before a run spends a request, where the data went (never with a password), the file format."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt
import duckdb
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.destination import TLoaderFileFormat
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from pipelines import held_file
from sources.common.errors import ConfigurationError, ConnectorError

DESTINATIONS = "use duckdb, postgres, filesystem or another dlt destination (docs/operations.md)"
DEFAULT_DUCKDB_FILE = "sequence_funnel.duckdb"  # not <dataset>.duckdb: DuckDB refuses a schema
# named like its catalog ("Ambiguous reference to catalog or schema")

# DuckDB's defaults (80 % of RAM, a thread per core) make a load the peak of a run's memory;
# it spills to disk beyond the limit, and one thread costs nothing measurable at these sizes.
DUCKDB_SETTINGS = {"memory_limit": "96MB", "threads": 1, "preserve_insertion_order": False}


def duckdb_destination(path: str, settings: dict[str, Any] | None = None) -> Any:
    """`settings`: DuckDB's own (memory, threads); a load's unless given."""
    chosen = dict(DUCKDB_SETTINGS if settings is None else settings)
    return dlt.destinations.duckdb(DuckDbCredentials(path, global_config=chosen))


def reading_destination(name: str, duckdb_path: str | None = None) -> Any:
    """For a report: DuckDB at its defaults. The funnel views stack joins and distinct counts
    whose memory DuckDB reserves per operator, beyond a load's 96 MB even on small data."""
    if name != "duckdb":
        return name
    return duckdb_destination(duckdb_path or duckdb_file(), settings={})


def for_reading(destination: Any) -> Any:
    """A load's DuckDB destination at DuckDB's defaults, for reading the funnel's views (see
    `reading_destination`); any other destination as it is."""
    credentials = getattr(destination, "config_params", {}).get("credentials")
    if isinstance(credentials, DuckDbCredentials) and isinstance(credentials.database, str):
        return duckdb_destination(credentials.database, settings={})
    return destination


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


def wait_for_duckdb(
    path: str, seconds: float, *, read_only: bool = False, say: Callable[[str], None] | None = None
) -> None:
    """Wait, at most `seconds`, until no other process holds the DuckDB file (a notebook's or
    a BI tool's connection, another run), before the command spends a request; DuckDB's refusal
    is raised when the file is still held then (pipelines.errors names the file and the
    holder). A reader (`read_only`) waits only for a writer. `say` hears one line when the wait
    starts and one when the file is free."""
    started = time.monotonic()
    waited = False
    while Path(path).is_file():
        try:
            duckdb.connect(path, read_only=read_only).close()
            if waited and say is not None:
                say(f"the DuckDB file {path} is free after {time.monotonic() - started:.0f} s")
            return
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                return  # not a lock: the run meets it and reports it
            if time.monotonic() - started >= seconds:
                raise
            if not waited and say is not None:
                say(f"waiting up to {seconds:.0f} s for the DuckDB file {path}:"
                    f" {held_file.holder(str(exc))}")  # fmt: skip
            waited = True
        time.sleep(0.25)


class DestinationUnreachableError(ConnectorError):
    """The destination's server did not answer: it may be down (retry later) or misnamed."""

    exit_code = 3


def _cause(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


def check_destination(pipeline: dlt.Pipeline) -> None:
    """Before a request is spent on the API: the destination's settings resolve, and a SQL
    server answers. Each failure names the setting to fix (errors redact its value)."""
    name = pipeline.destination.destination_name
    setting = f"DESTINATION__{name.upper()}__CREDENTIALS"
    if name == "duckdb":
        path = Path(duckdb_file())
        if path.is_absolute() and not path.parent.is_dir():
            raise ConfigurationError(
                f"The DuckDB file {path} cannot be created: its directory does not exist;"
                f" create {path.parent}, or set {setting} to a file in an existing directory"
            )
        return
    try:
        pipeline.destination_client()
    except ConfigFieldMissingException:
        raise  # pipelines.errors names the missing setting
    except Exception as exc:
        raise ConfigurationError(
            f"Destination '{name}': {setting} does not resolve ({_cause(exc)}); for PostgreSQL"
            " it is postgresql://user:password@host:5432/database"
        ) from None
    if name == "filesystem":
        if importlib.util.find_spec("deltalake") is None:
            raise ConfigurationError(
                "The filesystem destination writes Delta tables: install the lake's extra,"
                ' pip install "sequence-funnel[lake]" (docs/operations.md)'
            )
        return
    try:
        with pipeline.sql_client() as client:
            client.execute_sql("select 1")
    except Exception as exc:
        if "authentication failed" in str(exc) or "password" in str(exc).lower():
            raise ConfigurationError(
                f"Destination '{name}' refused the credentials ({_cause(exc)}): check {setting}"
            ) from None
        raise DestinationUnreachableError(
            f"Destination '{name}' at {location(pipeline)} did not answer ({_cause(exc)}):"
            f" check {setting}, or try again later"
        ) from None


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
