"""Loads of the Unify source into a warehouse with one pipelines dir, like a scheduled job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt

from pipelines import funnel, runner
from pipelines.summary import RunSummary
from sandbox.unify import DEFAULT_API_KEY
from sources import unify
from sources.common.state import resource_state, source_state
from sources.common.stats import RunStats
from tests.support.loading import build_models
from tests.support.warehouses import DuckDBWarehouse

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
            "unify_test", self.warehouse.destination(), "unify", self.pipelines_dir
        )

    def run(self, *resources: str, **source_args: Any) -> RunSummary:
        """One run of the source (only `resources`, when named: `with_resources`)."""
        args = {"api_key": DEFAULT_API_KEY, "base_url": self.base_url, **FAST_RETRIES, **LIST_PATH}
        stats = RunStats()
        source = unify.unify_source(**(args | source_args), run_stats=stats)
        if resources:
            source = source.with_resources(*resources)
        return runner.run(self.pipeline(), source, full_refresh=False, stats=stats)

    def build_models(self) -> funnel.Build:
        return build_models(self.pipeline(), "unify")

    def state(self) -> dict[str, Any]:
        """The enrollments resource's state as last committed (its high-water mark)."""
        return resource_state(self.pipeline(), "unify", "enrollments")

    def source_state(self) -> dict[str, Any]:
        return source_state(self.pipeline(), "unify")


BULK = {"backfill": "bulk", "enrollment_steps": True, "query_job_poll_seconds": 0.05,
        "steps_refresh_minutes": 0}  # fmt: skip
STEPS = BULK | {"backfill": "list"}  # enrollment steps, and enrollments with created_at
