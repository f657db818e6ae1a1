"""The environment a scheduled Instantly load runs with, pointed at a sandbox and a temp DuckDB
file: every listing due each run (the refresh intervals are tested on their own), quick
backoff, and the emails limit widened (its pacing is tested on its own)."""

from __future__ import annotations

from pathlib import Path

from sandbox.instantly import DEFAULT_API_KEY
from tests.support.cli import clean_env

FAST: dict[str, float] = {
    "BACKOFF_INITIAL": 0.02,
    "CATALOG_REFRESH_MINUTES": 0,
    "LEADS_REFRESH_MINUTES": 0,
    "ANALYTICS_REFRESH_MINUTES": 0,
    "EMAILS_REQUESTS_PER_WINDOW": 100_000,
    "EMAILS_WINDOW_SECONDS": 1,
}


def settings(base_url: str, api_key: str = DEFAULT_API_KEY) -> dict[str, object]:
    """The source's settings as `instantly_source` arguments (lower-case names)."""
    return {"api_key": api_key, "base_url": base_url} | {k.lower(): v for k, v in FAST.items()}


def cli_env(base_url: str, tmp_path: Path, api_key: str = DEFAULT_API_KEY) -> dict[str, str]:
    return clean_env() | {
        "SOURCES__INSTANTLY__API_KEY": api_key,
        "SOURCES__INSTANTLY__BASE_URL": base_url,
        **{f"SOURCES__INSTANTLY__{k}": str(v) for k, v in FAST.items()},
        "DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "warehouse.duckdb"),
    }
