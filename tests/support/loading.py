"""Loads of one vendor's source into a warehouse with one pipelines dir, like a scheduled job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt

from pipelines import funnel, runner
from pipelines.summary import RunSummary
from sources.common.state import resource_state
from sources.common.stats import RunStats
from tests.support.warehouses import DuckDBWarehouse


def build_models(pipeline: dlt.Pipeline, vendor: str) -> funnel.Build:
    """What a load through the CLI does next: the dbt models (the vendor's report views among
    them) built over what is loaded."""
    return funnel.build(pipeline.destination, pipelines_dir=pipeline.pipelines_dir,
                        datasets={vendor: pipeline.dataset_name})  # fmt: skip


class Loader:
    """`source(**settings(base_url), run_stats=...)` loaded into `warehouse` (a DuckDB file
    in `tmp_path` unless given), dataset and config section `name`."""

    def __init__(
        self,
        tmp_path: Path,
        base_url: str,
        warehouse: Any,
        *,
        name: str,
        source: Callable[..., Any],
        settings: Callable[[str], dict[str, Any]],
    ) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.warehouse = warehouse or DuckDBWarehouse(tmp_path / "warehouse.duckdb")
        self.pipelines_dir = str(tmp_path / "pipelines")
        self.base_url = base_url
        self.name, self.source, self.settings = name, source, settings

    def pipeline(self) -> dlt.Pipeline:
        return runner.make_pipeline(
            f"{self.name}_test", self.warehouse.destination(), self.name, self.pipelines_dir
        )

    def run(self, *resources: str, chunked: bool = True, **source_args: Any) -> RunSummary:
        """One run of the source (only `resources`, when named), loading again while a
        chunked read is pending, as the CLI does (`chunked=False`: one load only)."""
        args = self.settings(self.base_url) | source_args
        stats = RunStats()

        def make() -> Any:
            source = self.source(**args, run_stats=stats)
            return source.with_resources(*resources) if resources else source

        return runner.run(self.pipeline(), make(), full_refresh=False, stats=stats,
                          again=make if chunked else None)  # fmt: skip

    def build_models(self) -> funnel.Build:
        return build_models(self.pipeline(), self.name)

    def state(self, resource: str) -> dict[str, Any]:
        return resource_state(self.pipeline(), self.name, resource)
