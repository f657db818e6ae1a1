"""Dagster: each vendor's load as a dlt asset (dagster-dlt), materialised on a schedule.

    SOURCES__UNIFY__API_KEY=... dagster dev -f deploy/dagster/definitions.py

One asset, job and schedule per vendor the command line knows (`<vendor>_load`,
`<vendor>_load_schedule`), each its own pipeline and dataset named after the vendor, as
`sequence-funnel load <vendor>` has them, and after each the cross-vendor funnel models when
they or the loaded tables changed (FUNNEL__BUILD=false: not). Configured as the CLI is
(environment or .dlt/): the vendor's API key, and the destination's keys;
SEQUENCE_FUNNEL_DESTINATION picks the destination (duckdb), SEQUENCE_FUNNEL_PIPELINES_DIR where
dlt keeps the pipelines' local state.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import filelock
from dagster_dlt import DagsterDltResource, dlt_assets
from dlt.common.pipeline import get_dlt_pipelines_dir

from pipelines import destinations, errors, funnel, runner
from pipelines.destinations import file_format
from sources.common.vendors import VendorSpec, specs

WAIT = float(os.environ.get("SEQUENCE_FUNNEL_WAIT", 1800))  # seconds a run waits its turn


def schedule(index: int) -> str:
    """Every 30 minutes, each vendor ten minutes after the one before (unify at :00 and :30,
    instantly at :10 and :40, sequenzy at :20 and :50), as the cron recipe staggers them: on
    one DuckDB file, one run writes at a time, and the others wait their turn."""
    minute = 10 * index % 30
    return f"{minute},{minute + 30} * * * *"


def vendor_assets(chosen: VendorSpec) -> dg.AssetsDefinition:
    pipeline = runner.make_pipeline(
        chosen.name,
        os.environ.get("SEQUENCE_FUNNEL_DESTINATION", "duckdb"),
        chosen.name,
        str(PIPELINES_DIR),
    )

    def say(line: str) -> None:
        dg.get_dagster_logger().info(line)

    # The asset's shape only needs the source's tables, not its key: the key is resolved when a
    # run starts, so the definitions load where no secret is present (a code server, a CI check).
    @dlt_assets(
        dlt_source=chosen.source(api_key="resolved-at-run-time"),
        dlt_pipeline=pipeline,
        name=chosen.name,
        group_name=chosen.name,
    )
    def assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        # the CLI's guarantees: one run at a time per pipeline and per DuckDB file, an
        # interrupted load finished first; and its one-line errors
        try:
            with runner.exclusive(pipeline, WAIT), runner.one_writer(pipeline, WAIT, say):
                runner.complete_pending(pipeline)
                with runner.load_config():
                    yield from dlt.run(
                        context=context,
                        dlt_source=chosen.source(),
                        loader_file_format=file_format(pipeline),
                    )
            if funnel.enabled():  # report views and marts, when they or the tables changed
                loaded = {chosen.name: [pipeline.dataset_name]}
                funnel.build(pipeline.destination, pipelines_dir=pipeline.pipelines_dir,
                             datasets=loaded, wait=WAIT)  # fmt: skip
        except Exception as exc:
            secrets = errors.configured_secrets(
                *chosen.secret_keys,
                *destinations.secret_settings(pipeline.destination.destination_name),
            )
            message, code = errors.explain(exc, secrets)
            raise dg.Failure(description=message, metadata={"exit_code": code}) from None

    return assets


# Each Dagster process (every run, the code server) loads these definitions, and dlt writes a
# pipeline's state into its folder as it makes it: processes starting at once take turns (two
# runs started together met each other's half-made folder).
PIPELINES_DIR = Path(os.environ.get("SEQUENCE_FUNNEL_PIPELINES_DIR") or get_dlt_pipelines_dir())
PIPELINES_DIR.mkdir(parents=True, exist_ok=True)
with filelock.FileLock(PIPELINES_DIR / "definitions.lock"):
    ASSETS = {name: vendor_assets(chosen) for name, chosen in specs().items()}
JOBS = [dg.define_asset_job(f"{name}_load", selection=[a]) for name, a in ASSETS.items()]

defs = dg.Definitions(
    assets=list(ASSETS.values()),
    jobs=JOBS,
    schedules=[
        dg.ScheduleDefinition(job=job, cron_schedule=schedule(k)) for k, job in enumerate(JOBS)
    ],
    resources={"dlt": DagsterDltResource()},
)
