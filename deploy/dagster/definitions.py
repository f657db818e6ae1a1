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
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltResource, dlt_assets

from pipelines import funnel, runner
from pipelines.destinations import file_format
from pipelines.vendors import FACTORIES, Vendor, vendor

SCHEDULE = "*/30 * * * *"


def vendor_assets(chosen: Vendor) -> dg.AssetsDefinition:
    pipeline = runner.make_pipeline(
        chosen.name,
        os.environ.get("SEQUENCE_FUNNEL_DESTINATION", "duckdb"),
        chosen.name,
        os.environ.get("SEQUENCE_FUNNEL_PIPELINES_DIR"),
    )

    # The asset's shape only needs the source's tables, not its key: the key is resolved when a
    # run starts, so the definitions load where no secret is present (a code server, a CI check).
    @dlt_assets(
        dlt_source=chosen.source(api_key="resolved-at-run-time"),
        dlt_pipeline=pipeline,
        name=chosen.name,
        group_name=chosen.name,
    )
    def assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        # the CLI's guarantees: one run at a time, an interrupted load finished first
        with runner.exclusive(pipeline):
            runner.complete_pending(pipeline)
            with runner.load_config():
                yield from dlt.run(
                    context=context,
                    dlt_source=chosen.source(),
                    loader_file_format=file_format(pipeline),
                )
        if funnel.enabled():  # report views and marts, when they or the loaded tables changed
            funnel.build(pipeline.destination, pipelines_dir=pipeline.pipelines_dir,
                         datasets={chosen.name: pipeline.dataset_name})  # fmt: skip

    return assets


ASSETS = {name: vendor_assets(vendor(name)) for name in FACTORIES}
JOBS = [dg.define_asset_job(f"{name}_load", selection=[a]) for name, a in ASSETS.items()]

defs = dg.Definitions(
    assets=list(ASSETS.values()),
    jobs=JOBS,
    schedules=[dg.ScheduleDefinition(job=job, cron_schedule=SCHEDULE) for job in JOBS],
    resources={"dlt": DagsterDltResource()},
)
