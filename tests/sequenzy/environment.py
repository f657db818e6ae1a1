"""The environment a scheduled Sequenzy load runs with, pointed at a sandbox and a temp DuckDB
file: every listing due each run (the refresh intervals are tested on their own), quick
backoff, and the client's pace widened (its pacing is tested on its own)."""

from __future__ import annotations

from pathlib import Path

from sandbox.sequenzy import DEFAULT_API_KEY
from tests.support.cli import clean_env

FAST: dict[str, float] = {
    "BACKOFF_INITIAL": 0.02,
    "SUBSCRIBERS_REFRESH_MINUTES": 0,
    "CONVERSATIONS_REFRESH_MINUTES": 0,
    "METRICS_REFRESH_MINUTES": 0,
    "REQUESTS_PER_MINUTE": 1_000_000,
    "REQUESTS_PER_SECOND": 1_000_000,
}


def settings(base_url: str, api_key: str = DEFAULT_API_KEY) -> dict[str, object]:
    """The source's settings as `sequenzy_source` arguments (lower-case names)."""
    return {"api_key": api_key, "base_url": base_url} | {k.lower(): v for k, v in FAST.items()}


def cli_env(base_url: str, tmp_path: Path, api_key: str = DEFAULT_API_KEY) -> dict[str, str]:
    return clean_env() | {
        "SOURCES__SEQUENZY__API_KEY": api_key,
        "SOURCES__SEQUENZY__BASE_URL": base_url,
        **{f"SOURCES__SEQUENZY__{k}": str(v) for k, v in FAST.items()},
        "DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "warehouse.duckdb"),
    }
