"""The environment a scheduled Acme load runs with, pointed at a sandbox and a temp DuckDB file."""

from __future__ import annotations

from pathlib import Path

from sandbox.acme import DEFAULT_API_KEY
from tests.support.cli import clean_env


def cli_env(base_url: str, tmp_path: Path, api_key: str = DEFAULT_API_KEY) -> dict[str, str]:
    return clean_env() | {
        "SOURCES__ACME__API_KEY": api_key,
        "SOURCES__ACME__BASE_URL": base_url,
        "DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "warehouse.duckdb"),
    }
