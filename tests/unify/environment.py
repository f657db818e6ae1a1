"""The environment a scheduled Unify load runs with, pointed at a sandbox and a temp DuckDB file."""

from __future__ import annotations

from pathlib import Path

from sandbox.unify import DEFAULT_API_KEY
from tests.support.cli import clean_env


def cli_env(base_url: str, tmp_path: Path, api_key: str = DEFAULT_API_KEY) -> dict[str, str]:
    return clean_env() | {
        "SOURCES__UNIFY__API_KEY": api_key,
        "SOURCES__UNIFY__BASE_URL": base_url,
        "SOURCES__UNIFY__RETRY_AFTER_FLOOR": "0.05",
        "SOURCES__UNIFY__BACKOFF_INITIAL": "0.02",
        "SOURCES__UNIFY__BACKFILL": "list",  # the Bulk API paths: test_bulk.py
        "SOURCES__UNIFY__ENROLLMENT_STEPS": "false",
        "DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "warehouse.duckdb"),
    }
