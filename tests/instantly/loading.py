"""Loads of the Instantly source into a warehouse with one pipelines dir, like a scheduled job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt

from pipelines import runner
from pipelines.summary import RunSummary
from sources.common.state import resource_state
from sources.common.stats import RunStats
from sources.instantly import instantly_source
from tests.instantly.environment import settings
from tests.support.warehouses import DuckDBWarehouse


class Loader:
    def __init__(self, tmp_path: Path, base_url: str, warehouse: Any = None) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.warehouse = warehouse or DuckDBWarehouse(tmp_path / "warehouse.duckdb")
        self.pipelines_dir = str(tmp_path / "pipelines")
        self.base_url = base_url

    def pipeline(self) -> dlt.Pipeline:
        return runner.make_pipeline(
            "instantly_test", self.warehouse.destination(), "instantly", self.pipelines_dir
        )

    def run(self, *resources: str, chunked: bool = True, **source_args: Any) -> RunSummary:
        """One run of the source (only `resources`, when named), loading again while a
        chunked backfill is pending, as the CLI does (`chunked=False`: one load only)."""
        args = settings(self.base_url) | source_args
        stats = RunStats()

        def make() -> Any:
            source = instantly_source(**args, run_stats=stats)
            return source.with_resources(*resources) if resources else source

        return runner.run(self.pipeline(), make(), full_refresh=False, stats=stats,
                          again=make if chunked else None)  # fmt: skip

    def state(self, resource: str) -> dict[str, Any]:
        return resource_state(self.pipeline(), "instantly", resource)
