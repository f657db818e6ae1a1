"""Dagster: each vendor's load as a dlt asset (dagster-dlt), materialised on a schedule; a
vendor with many workspaces, one partition per workspace, loaded in parallel.

    SOURCES__UNIFY__API_KEY=... dagster dev -f deploy/dagster/definitions.py

One asset, job and schedule per vendor the command line knows (`<vendor>_load`,
`<vendor>_load_schedule`), each its own pipeline and dataset named after the vendor, as
`sequence-funnel load <vendor>` has them, and after each the cross-vendor funnel models when
they or the loaded tables changed (FUNNEL__BUILD=false: not). Configured as the CLI is
(environment or .dlt/): the vendor's API key, and the destination's keys;
SEQUENCE_FUNNEL_DESTINATION picks the destination (duckdb), SEQUENCE_FUNNEL_PIPELINES_DIR where
dlt keeps the pipelines' local state.

A vendor with workspaces configured (docs/workspaces.md) has the job `<vendor>_workspaces`
instead, on the same schedule: it lists the workspaces (the configuration, and a workspace
group's members or an account's companies, read each run) into the dynamic partitions of the
asset `<vendor>_workspace`, loads each in a step of its own (Dagster's multiprocess executor:
as many at once as it allows; its Kubernetes or Celery executor spreads them over machines),
then builds the funnel models once, after all of them. A workspace that fails fails its step's
record and the run, never the other workspaces' loads or the build.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import filelock
from dagster_dlt import DagsterDltResource, dlt_assets
from dlt.common.pipeline import get_dlt_pipelines_dir

from pipelines import destinations, errors, funnel, loading, runner, turns, workspaces
from pipelines.cli import build_parser
from pipelines.destinations import file_format
from sources.common.vendors import VendorSpec, specs

WAIT = float(os.environ.get("SEQUENCE_FUNNEL_WAIT", 1800))  # seconds a run waits its turn
DESTINATION = os.environ.get("SEQUENCE_FUNNEL_DESTINATION", "duckdb")


def schedule(index: int) -> str:
    """Every 30 minutes, each vendor ten minutes after the one before (unify at :00 and :30,
    instantly at :10 and :40, sequenzy at :20 and :50), as the cron recipe staggers them: on
    one DuckDB file, one run writes at a time, and the others wait their turn."""
    minute = 10 * index % 30
    return f"{minute},{minute + 30} * * * *"


def vendor_assets(chosen: VendorSpec) -> dg.AssetsDefinition:
    pipeline = runner.make_pipeline(chosen.name, DESTINATION, chosen.name, str(PIPELINES_DIR))

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
            with turns.exclusive(pipeline, WAIT), turns.one_writer(pipeline, WAIT, say):
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


def workspace_job(chosen: VendorSpec) -> tuple[dg.JobDefinition, dg.AssetSpec]:
    """The vendor's workspaces: listed, each loaded in a step of its own, the models built once."""
    partitions = dg.DynamicPartitionsDefinition(name=f"{chosen.name}_workspaces")
    described = f"{chosen.title}'s tables, one dataset per workspace"
    asset = dg.AssetSpec(f"{chosen.name}_workspace", partitions_def=partitions,
                         group_name=chosen.name, description=described)  # fmt: skip

    @dg.op(name=f"{chosen.name}_workspaces_listed", out=dg.DynamicOut(tuple))
    def listed(context: dg.OpExecutionContext) -> Iterator[dg.DynamicOutput[tuple]]:
        found = _failing(chosen, lambda: workspaces.configured(chosen))
        known = set(context.instance.get_dynamic_partitions(partitions.name))
        context.instance.add_dynamic_partitions(
            partitions.name, [w.name for w in found if w.name not in known]
        )
        shares = workspaces.shares(chosen, found, os.cpu_count() or 1)
        for space in found:
            yield dg.DynamicOutput((space.name, shares[space.name]), mapping_key=space.name)

    @dg.op(name=f"{chosen.name}_workspace_load")
    def load(context: dg.OpExecutionContext, chosen_space: tuple) -> dict[str, Any]:
        name, share = chosen_space
        args = build_parser().parse_args(
            ["load", chosen.name, "--quiet", "--destination", DESTINATION, "--pipelines-dir",
             str(PIPELINES_DIR), "--wait", str(WAIT)]
        )  # fmt: skip
        space = _failing(chosen, lambda: workspaces.chosen(chosen, name)[0])
        summary = loading.load_workspace(chosen, args, space, build=False, rate_share=share)
        if summary.exit_code:
            context.log.error(f"workspace {name}: {summary.error}")
        else:
            context.log_event(dg.AssetMaterialization(asset.key, partition=name, metadata={
                "dataset": summary.dataset, "rows": sum(summary.rows.values()),
                "requests": summary.requests, "seconds": summary.seconds,
            }))  # fmt: skip
        return {"workspace": name, "dataset": summary.dataset, "exit_code": summary.exit_code,
                "error": summary.error}  # fmt: skip

    @dg.op(name=f"{chosen.name}_workspaces_models")
    def models(context: dg.OpExecutionContext, loads: list[dict[str, Any]]) -> None:
        loaded = [done["dataset"] for done in loads if not done["exit_code"]]
        if funnel.enabled() and loaded:
            built = _failing(chosen, lambda: funnel.build(
                destinations.resolve_destination(DESTINATION), pipelines_dir=str(PIPELINES_DIR),
                datasets={chosen.name: loaded}, wait=WAIT))  # fmt: skip
            context.log.info(f"funnel models: {built.describe()}")
        failed = [done for done in loads if done["exit_code"]]
        if failed:
            raise dg.Failure(
                description="; ".join(f"workspace {f['workspace']}: {f['error']}" for f in failed),
                metadata={"exit_code": failed[0]["exit_code"],
                          "failed_workspaces": [f["workspace"] for f in failed]},
            )  # fmt: skip

    @dg.job(name=f"{chosen.name}_workspaces", executor_def=dg.multiprocess_executor)
    def job() -> None:
        models(listed().map(load).collect())

    return job, asset


def _failing(chosen: VendorSpec, step: Any) -> Any:
    """`step()`, its error the CLI's one line (a dg.Failure with the exit code)."""
    try:
        return step()
    except Exception as exc:
        secrets = errors.configured_secrets(
            *chosen.secret_keys, *destinations.secret_settings(DESTINATION)
        )
        message, code = errors.explain(exc, secrets)
        raise dg.Failure(description=message, metadata={"exit_code": code}) from None


# Each Dagster process (every run, the code server) loads these definitions, and dlt writes a
# pipeline's state into its folder as it makes it: processes starting at once take turns (two
# runs started together met each other's half-made folder).
PIPELINES_DIR = Path(os.environ.get("SEQUENCE_FUNNEL_PIPELINES_DIR") or get_dlt_pipelines_dir())
PIPELINES_DIR.mkdir(parents=True, exist_ok=True)
with filelock.FileLock(PIPELINES_DIR / "definitions.lock"):
    ASSETS = {name: vendor_assets(chosen) for name, chosen in specs().items()}
JOBS = [dg.define_asset_job(f"{name}_load", selection=[a]) for name, a in ASSETS.items()]
WORKSPACES = {name: workspace_job(chosen) for name, chosen in specs().items()}
# a vendor's schedule runs its workspaces' job when it has workspaces, else its one load
SCHEDULED = [WORKSPACES[name][0] if workspaces.has_workspaces(chosen) else job
             for (name, chosen), job in zip(specs().items(), JOBS, strict=True)]  # fmt: skip

defs = dg.Definitions(
    assets=[*ASSETS.values(), *(asset for _, asset in WORKSPACES.values())],
    jobs=[*JOBS, *(job for job, _ in WORKSPACES.values())],
    schedules=[
        dg.ScheduleDefinition(name=f"{name}_load_schedule", job=job, cron_schedule=schedule(k))
        for k, (name, job) in enumerate(zip(specs(), SCHEDULED, strict=True))
    ],
    resources={"dlt": DagsterDltResource()},
)
