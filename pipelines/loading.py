"""`sequence-funnel load <vendor>`: every configured workspace of the vendor
(pipelines.workspaces), each into its own pipeline and dataset, one after the other or in
parallel (pipelines.parallel); then the funnel models, once."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dlt.common.pipeline import get_dlt_pipelines_dir

from pipelines import checks, destinations, errors, funnel, parallel, runner, workspaces
from pipelines.interrupts import RunInterrupted, interruptible
from pipelines.progress import RunProgress
from pipelines.reports import say
from pipelines.summary import OK, RunSummary, WorkspacesSummary
from sources.common.errors import ConfigurationError
from sources.common.stats import RunStats
from sources.common.vendors import VendorSpec

# a parallel load's workers take turns on a DuckDB file: each waits for the ones before it
TURNS_WAIT = 6 * 3600.0


def load(chosen: VendorSpec, args: argparse.Namespace) -> int:
    """Every configured workspace of the vendor (or the one --workspace names), each into its own
    pipeline and dataset, one after the other or --parallel at once; one workspace's failure
    fails that workspace only. Then the funnel models, once."""
    try:
        spaces = workspaces.chosen(chosen, args.workspace)
        if len(spaces) > 1 and (args.dataset_name or args.pipeline_name):
            raise ConfigurationError(
                f"--dataset-name and --pipeline-name name one workspace's: {chosen.title} has"
                f" {len(spaces)} ({', '.join(w.name for w in spaces)}); add --workspace NAME"
            )
    except Exception as exc:  # the configuration, or the vendor's list of members
        message, code = errors.explain(exc, errors.configured_secrets(*chosen.secret_keys))
        print(f"error: {message}", file=sys.stderr)
        return code
    if len(spaces) == 1:
        summary = load_workspace(chosen, args, spaces[0], build=True)
        if summary.exit_code == OK:
            guard(chosen, args, spaces[0], summary)
        if args.json_summary:
            summary.write_json(args.json_summary)
        return summary.exit_code
    return _load_workspaces(chosen, args, spaces)


def _load_workspaces(
    chosen: VendorSpec, args: argparse.Namespace, spaces: list[workspaces.Workspace]
) -> int:
    """Several workspaces of the vendor, then the models once, then the guards in each."""
    runs = WorkspacesSummary(chosen.name)
    at_once = min(args.parallel or default_parallel(args), len(spaces))
    if at_once > 1:
        _load_in_parallel(chosen, args, spaces, at_once, runs)
    else:
        _load_one_by_one(chosen, args, spaces, runs)
    for space in spaces:  # the run was stopped (or its workers ended) before them
        if space.name not in runs.workspaces:
            runs.workspaces[space.name] = RunSummary(pipeline=space.dataset, dataset=space.dataset)
            runs.workspaces[space.name].failed("not loaded: the run ended before it", 1)
    if funnel.enabled() and runs.loaded and not runs.interrupted:
        try:
            with interruptible():
                built = _build(chosen, args, runs.loaded)
            runs.models, runs.warnings = built.describe(), list(built.warnings)
        except (Exception, RunInterrupted) as exc:
            secrets = errors.configured_secrets(
                *chosen.secret_keys, *destinations.secret_settings(args.destination)
            )
            keys = [key for space in spaces for key in space.secrets]
            runs.error, runs.build_exit_code = errors.explain(exc, secrets + keys)
    for space in spaces:  # the guards, in each workspace that loaded, once the models stand
        done = runs.workspaces[space.name]
        if done.exit_code == OK and not runs.error and not runs.interrupted:
            guard(chosen, args, space, done)
    print("\n".join(runs.lines()))
    if args.json_summary:
        runs.write_json(args.json_summary)
    return runs.exit_code


def guard(chosen: VendorSpec, args: argparse.Namespace, space: workspaces.Workspace,
          summary: RunSummary) -> None:  # fmt: skip
    """The enabled guards that act in the tool (pipelines.guards), run in the workspace just
    loaded, their lines printed and their runs in its summary; then, if one acted, the workspace
    read again (`--after-act`: the funnel shows what was done, and the next run plans nothing).
    A load after an action runs none."""
    from pipelines.guards import any_written

    if args.after_act or not any_written():
        return
    from pipelines.guards.files import read_guards  # a guard's own imports: YAML, the actions
    from pipelines.guards.runs import GuardRun, run_guards

    runs: list[GuardRun] = []
    try:
        guards = [g for g in read_guards() if g.enabled and chosen.name in g.parts]
    except ConfigurationError as exc:  # a guard file: the load stands, the file is named
        guards = []
        runs.append(GuardRun("guards", chosen.name, space.name, "", "refused", error=str(exc),
                             exit_code=exc.exit_code))  # fmt: skip
    if guards:
        try:
            with interruptible():
                runs = run_guards(chosen, [(space, args.dataset_name or space.dataset)],
                                  destination=args.destination, guards=guards,
                                  wait=max(args.wait, funnel.BUILD_WAIT), say=say)  # fmt: skip
        except RunInterrupted as exc:  # the journal has each call: the next run finishes them
            summary.failed(f"stopped while its guards ran: {exc}", exc.exit_code)
            print(f"error: {summary.error}", file=sys.stderr)
            return
    if not runs:
        return
    for run in runs:
        print("\n".join(run.lines()))
    summary.guarded([r.as_dict() for r in runs])
    if any(r.acted for r in runs):
        again = argparse.Namespace(**{**vars(args), "after_act": True, "quiet": True})
        print(f"refreshing {chosen.title} workspace {space.name} after its guards acted")
        refreshed = load_workspace(chosen, again, space, build=True)
        if refreshed.error:
            summary.warn(f"the load after the guards acted failed: {refreshed.error}")
            summary.exit_code = summary.exit_code or refreshed.exit_code


def default_parallel(args: argparse.Namespace) -> int:
    """As many loads at once as the machine has cores; one into a DuckDB file, where loads take
    turns on the file for their whole run anyway."""
    return 1 if args.destination == "duckdb" else os.cpu_count() or 1


def _load_one_by_one(
    chosen: VendorSpec,
    args: argparse.Namespace,
    spaces: list[workspaces.Workspace],
    runs: WorkspacesSummary,
) -> None:
    """Each workspace in this process, one after the other, until one is stopped by a signal:
    the run then stops."""
    for space in spaces:
        print(f"{chosen.title} workspace {space.name}:")
        runs.workspaces[space.name] = done = load_workspace(chosen, args, space, build=False)
        if done.status == "interrupted":
            runs.interrupted = done.exit_code
            return


def _load_in_parallel(chosen: VendorSpec, args: argparse.Namespace,
                      spaces: list[workspaces.Workspace], at_once: int,
                      runs: WorkspacesSummary) -> None:  # fmt: skip
    """The workspaces loaded by `at_once` worker processes (pipelines.parallel), each summary
    printed as it ends; into a DuckDB file they take turns, each waiting for the one before
    (pipelines.workspace_load)."""
    shares = workspaces.shares(chosen, spaces, at_once)
    try:
        with interruptible():
            parallel.load_all(args, shares, at_once, runs.workspaces, say=print)
    except RunInterrupted as exc:
        runs.interrupted = exc.exit_code
    for name, summary in runs.workspaces.items():
        print(f"{chosen.title} workspace {name}:")
        print("\n".join([f"error: {summary.error}"] if summary.error else summary.lines()))


def load_workspace(
    chosen: VendorSpec,
    args: argparse.Namespace,
    space: workspaces.Workspace,
    *,
    build: bool,
    rate_share: float = 1.0,
    turn_wait: float | None = None,
) -> RunSummary:
    """One workspace's run: the destination checked, the source loaded under the pipeline's
    lock and in the DuckDB file's turn (waiting for the turn up to `turn_wait` seconds when
    given, else --wait) with progress, and with `build` the dbt models built when something
    changed; a failure is one line, and what a failed run created for nothing is removed."""
    dataset, name = args.dataset_name or space.dataset, args.pipeline_name or space.dataset
    secrets = (
        errors.configured_secrets(
            *chosen.secret_keys, *destinations.secret_settings(args.destination)
        )
        + space.secrets
    )
    summary = RunSummary(pipeline=name, destination=args.destination, dataset=dataset)
    working_dir = Path(args.pipelines_dir or get_dlt_pipelines_dir()) / name
    database = Path(destinations.duckdb_file()) if args.destination == "duckdb" else None
    created = [p for p in (working_dir, database) if p is not None and not p.exists()]
    pipeline = None
    try:
        with interruptible(), summary.noticing():
            if build and funnel.enabled():
                funnel.project_dir()  # a missing dbt project is said before a request is spent
            stats, options = RunStats(), {**space.arguments, **chosen.options(args)}
            if args.after_act:
                options |= chosen.after_act
            if rate_share < 1:  # one of several loads at once on one budget
                options["rate_share"] = rate_share
            source = chosen.source(run_stats=stats, **options)
            pipeline = runner.make_pipeline(name, args.destination, dataset, args.pipelines_dir)
            destinations.check_destination(pipeline)
            loaded = pipeline

            def check() -> None:  # the values no document names, read under the run's lock
                for warning in checks.undocumented_values(loaded, chosen):
                    summary.warn(warning)

            with RunProgress(stats, enabled=not args.quiet):
                runner.run(pipeline, source, full_refresh=args.full_refresh, stats=stats,
                           summary=summary, wait=args.wait, turn_wait=turn_wait, say=say,
                           then=check,
                           again=lambda: chosen.source(run_stats=stats, **options))  # fmt: skip
            if build and funnel.enabled():  # the vendor's report views and the marts
                built = _build(chosen, args, [dataset])
                summary.models = built.describe()
                for warning in built.warnings:
                    summary.warn(warning)
    except (Exception, RunInterrupted) as exc:
        message, code = errors.explain(exc, secrets)
        summary.failed(space.explained(message, chosen), code)
        print(f"error: {summary.error}", file=sys.stderr)
        runner.discard_unneeded(created, pipeline, loaded=bool(summary.load_ids))
    else:
        where = f"{args.destination} {summary.location}" if summary.location else args.destination
        print(f"Loaded into {where}, dataset '{dataset}':")
        print("\n".join(summary.lines()))
    return summary


def _build(chosen: VendorSpec, args: argparse.Namespace, datasets: list[str]) -> funnel.Build:
    """The funnel models after a load of `datasets` of the vendor."""
    destination = destinations.resolve_destination(args.destination)
    return funnel.build(destination, pipelines_dir=args.pipelines_dir,
                        datasets={chosen.name: datasets},
                        wait=max(args.wait, funnel.BUILD_WAIT))  # fmt: skip
