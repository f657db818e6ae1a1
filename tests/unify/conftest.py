"""Fixtures for source tests: a sandbox, and loads into a temporary DuckDB file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dlt
import pytest

from pipelines import runner
from sandbox.unify import DEFAULT_API_KEY
from sources import unify
from tests.warehouses import DuckDBWarehouse

FAST_RETRIES = {"retry_after_floor": 0.05, "backoff_initial": 0.02, "max_attempts": 8}
# The list endpoint only, unless a test asks for the Bulk API (tests/unify/test_bulk.py)
LIST_PATH = {"backfill": "list", "enrollment_steps": False}


class Loader:
    """Runs the Unify source into one warehouse with one pipelines dir, like a scheduled job."""

    def __init__(self, tmp_path: Path, base_url: str, warehouse: Any = None) -> None:
        self.warehouse = warehouse or DuckDBWarehouse(tmp_path / "warehouse.duckdb")
        self.pipelines_dir = str(tmp_path / "pipelines")
        self.base_url = base_url

    def pipeline(self) -> dlt.Pipeline:
        return runner.make_pipeline(
            "unify_test", self.warehouse.destination(), "unify", self.pipelines_dir,
            progress=False,
        )  # fmt: skip

    def run(self, **source_args: Any) -> runner.RunSummary:
        args = {"api_key": DEFAULT_API_KEY, "base_url": self.base_url, **FAST_RETRIES, **LIST_PATH}
        source = unify.unify_source(**(args | source_args))
        return runner.run(self.pipeline(), source, full_refresh=False, stats=unify.run_stats)

    def state(self) -> dict[str, Any]:
        return self.pipeline().state["sources"]["unify"]["resources"]["sequences_and_enrollments"]


@pytest.fixture
def loader(tmp_path: Path) -> Iterator[Callable[..., Loader]]:
    """`loader(base_url)` loads into a DuckDB file; `loader(base_url, warehouse)` elsewhere."""
    yield lambda base_url, warehouse=None: Loader(tmp_path, base_url, warehouse)
