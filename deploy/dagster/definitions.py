"""Dagster: the Unify load as a dlt asset (dagster-dlt), materialised on a schedule.

    SOURCES__UNIFY__API_KEY=... dagster dev -f deploy/dagster/definitions.py

Configured as the CLI is (environment or .dlt/): the API key, and the destination's keys;
SEQUENCE_FUNNEL_DESTINATION picks the destination (duckdb), SEQUENCE_FUNNEL_PIPELINES_DIR
where dlt keeps the pipeline's local state.
"""

import os
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltResource, dlt_assets

from pipelines import reporting, runner
from pipelines.destinations import file_format
from pipelines.reporting.unify import UNIFY_REPORT
from sources.unify import unify_source

PIPELINE = runner.make_pipeline(
    "unify",
    os.environ.get("SEQUENCE_FUNNEL_DESTINATION", "duckdb"),
    "unify",
    os.environ.get("SEQUENCE_FUNNEL_PIPELINES_DIR"),
    progress=False,
)


# The asset's shape only needs the source's tables, not its key: the key is resolved when a run
# starts, so the definitions load where no secret is present (a code server, a CI check).
@dlt_assets(
    dlt_source=unify_source(api_key="resolved-at-run-time"),
    dlt_pipeline=PIPELINE,
    name="unify",
    group_name="unify",
)
def unify_assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
    # the CLI's guarantees: one run at a time, an interrupted load finished first, fresh views
    with runner.exclusive(PIPELINE):
        runner.complete_pending(PIPELINE)
        with runner.load_config():
            yield from dlt.run(
                context=context,
                dlt_source=unify_source(),
                loader_file_format=file_format(PIPELINE),
            )
        reporting.create_views(PIPELINE, UNIFY_REPORT)


unify_load = dg.define_asset_job("unify_load", selection=[unify_assets])

defs = dg.Definitions(
    assets=[unify_assets],
    jobs=[unify_load],
    schedules=[dg.ScheduleDefinition(job=unify_load, cron_schedule="*/30 * * * *")],
    resources={"dlt": DagsterDltResource()},
)
