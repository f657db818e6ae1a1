"""`sequence-funnel`: load a vendor's data, report its funnel, act on it, run the demo.

    sequence-funnel load unify                      # incremental, into sequence_funnel.duckdb
    sequence-funnel load unify --since 2026-01-01   # a first load from a date
    sequence-funnel report unify                    # the funnel by sequence, as a table
    sequence-funnel demo                            # the embedded sandbox, a local DuckDB file
    sequence-funnel act unify pause-enrollment --select "select id from ..."  # the plan

API keys come from the environment (SOURCES__<VENDOR>__API_KEY) or .dlt/secrets.toml.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import pyarrow as pa
from dlt.common.pipeline import get_dlt_pipelines_dir

from pipelines import checks, destinations, errors, funnel, runner
from pipelines.interrupts import RunInterrupted, interruptible
from pipelines.process import finished, started
from pipelines.progress import RunProgress
from pipelines.reports import report, report_all, say
from pipelines.summary import RunSummary
from sources.common.stats import RunStats
from sources.common.vendors import VendorSpec, spec, specs


def _version() -> str:
    try:
        return version("sequence-funnel")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _where(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("--destination", default="duckdb", help="any dlt destination (duckdb)")
    parser.add_argument("--dataset-name", default=None, help=f"schema/dataset name ({name})")
    parser.add_argument("--pipeline-name", default=None, help=f"dlt pipeline name ({name})")
    parser.add_argument("--pipelines-dir", default=None, help="where dlt keeps pipeline state")


def _wait(parser: argparse.ArgumentParser, what: str, default: Any = 0.0) -> None:
    parser.add_argument(
        "--wait", type=float, default=default, metavar="SECONDS",
        help=f"wait this long for {what} (0)",
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sequence-funnel", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    load = commands.add_parser("load", help="load a vendor's data into a destination")
    loads = load.add_subparsers(dest="vendor", required=True, metavar="VENDOR")
    report = commands.add_parser(
        "report", help="print a vendor's funnel, or with --all the funnel across vendors"
    )
    report.add_argument("--all", action="store_true", help="the funnel across every vendor loaded")
    report.add_argument(
        "--html",
        metavar="PATH",
        help="with --all: also write the funnel as one self-contained page",
    )
    _where(report, funnel.FUNNEL_DATASET)
    report.add_argument("--demo", action="store_true", help="what `make demo` loaded")
    _wait(report, "a run writing the DuckDB file")
    reports = report.add_subparsers(dest="vendor", required=False, metavar="VENDOR")
    demo = commands.add_parser("demo", help="load the embedded sandboxes into a local DuckDB file")
    _wait(demo, "a process holding the demo's DuckDB file")
    act = commands.add_parser("act", help="act on targets a SQL query selects (plan, then apply)")
    acts = act.add_subparsers(dest="vendor", required=True, metavar="VENDOR")
    for name, chosen in specs().items():
        one = loads.add_parser(name, help=f"load {chosen.title}")
        _where(one, name)
        one.add_argument(
            "--full-refresh", action="store_true", help="drop this source's tables and state first"
        )
        chosen.add_arguments(one)
        one.add_argument(
            "--quiet", action="store_true",
            help="no progress (a bar on a terminal, else a line every 10 s)",
        )  # fmt: skip
        _wait(one, "a run in progress or a reader of the DuckDB file")
        one.add_argument(
            "--json-summary", metavar="PATH", help="also write the run summary as JSON (monitors)"
        )
        shown = reports.add_parser(name, help=f"the {chosen.title} funnel by sequence")
        _where(shown, name)
        shown.add_argument("--demo", action="store_true", help="what `make demo` loaded")
        shown.add_argument("--html", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        _wait(shown, "a run writing the DuckDB file", default=argparse.SUPPRESS)  # or report's
        if chosen.actions:
            _act_arguments(acts.add_parser(name, help=f"act on {chosen.title}"), chosen)
    return parser


def _act_arguments(parser: argparse.ArgumentParser, chosen: VendorSpec) -> None:
    from pipelines.acting import DEFAULT_MAX

    parser.add_argument("action", choices=list(chosen.actions), help="what to do to each target")
    parser.add_argument(
        "--select",
        required=True,
        metavar="SQL",
        help="a query over the loaded dataset returning the action's columns",
    )
    parser.add_argument("--apply", action="store_true", help="act (without it: the plan only)")
    parser.add_argument(
        "--max",
        type=int,
        default=DEFAULT_MAX,
        dest="most",
        metavar="N",
        help=f"refuse a plan of more than N targets ({DEFAULT_MAX})",
    )
    parser.add_argument("--no-refresh", dest="refresh", action="store_false",
                        help="after --apply, skip the load that shows the new states")  # fmt: skip
    _where(parser, chosen.name)
    _wait(parser, "a run or a reader holding the DuckDB file")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Arrow's default allocator keeps freed memory for reuse; the system one gives it back, which
    # keeps a long backfill's peak memory flat (measured: about 100 MB less at 100k enrollments).
    pa.set_memory_pool(pa.system_memory_pool())
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sequence_funnel.progress").setLevel(logging.INFO)  # not a warning
    if args.command == "demo":
        from pipelines.demo import DEMO_DATABASE, run_demo  # the only path into the sandbox

        try:  # it starts afresh: not under a reader's or a writer's feet
            destinations.wait_for_duckdb(str(DEMO_DATABASE.resolve()), args.wait, say=say)
        except duckdb.IOException as exc:
            message, code = errors.explain(exc, [])
            print(f"error: {message}", file=sys.stderr)
            return code
        return run_demo()
    if args.command == "report" and (args.all or args.vendor is None):
        return report_all(args, build_parser())
    if args.command == "report" and args.html:  # the page is the funnel across vendors
        build_parser().error(
            f"--html goes with --all: sequence-funnel report --all --html {args.html}"
        )
    chosen = spec(args.vendor)
    args.dataset_name = args.dataset_name or chosen.name
    args.pipeline_name = args.pipeline_name or chosen.name
    if args.command == "act":
        return act(chosen, args)
    return load(chosen, args) if args.command == "load" else report(chosen, args)


def act(chosen: VendorSpec, args: argparse.Namespace) -> int:
    """The plan, and with --apply each target acted on once; then an incremental load of the
    vendor so the warehouse shows the new states."""
    from pipelines import acting

    secrets = errors.configured_secrets(
        *chosen.secret_keys, *destinations.secret_settings(args.destination)
    )
    try:
        with interruptible():
            if args.destination == "duckdb":
                destinations.wait_for_duckdb(destinations.duckdb_file(), args.wait, say=say)
            result = acting.act(chosen.name, args.action, args.select, apply=args.apply,
                                most=args.most, destination=args.destination,
                                dataset_name=args.dataset_name)  # fmt: skip
    except (Exception, RunInterrupted) as exc:
        message, code = errors.explain(exc, secrets)
        print(f"error: {message}", file=sys.stderr)
        return code
    print("\n".join(result.lines))
    if not (args.apply and args.refresh and result.outcomes[acting.Outcome.DONE.value]):
        return result.exit_code
    refresh = ["load", chosen.name, "--quiet", "--destination", args.destination, "--dataset-name",
               args.dataset_name, "--pipeline-name", args.pipeline_name]  # fmt: skip
    if args.pipelines_dir:
        refresh += ["--pipelines-dir", args.pipelines_dir]
    print(f"refreshing: sequence-funnel {' '.join(refresh)}")
    loaded = main(refresh)
    return result.exit_code or loaded


def load(chosen: VendorSpec, args: argparse.Namespace) -> int:
    """One run: the destination checked, the files busy-waited, the source loaded under the
    pipeline's lock with progress, the dbt models built when something changed; a failure is
    one line, a summary is always written, and what a failed run created for nothing is
    removed."""
    secrets = errors.configured_secrets(
        *chosen.secret_keys, *destinations.secret_settings(args.destination)
    )
    summary = RunSummary(
        pipeline=args.pipeline_name, destination=args.destination, dataset=args.dataset_name
    )
    working_dir = Path(args.pipelines_dir or get_dlt_pipelines_dir()) / args.pipeline_name
    database = Path(destinations.duckdb_file()) if args.destination == "duckdb" else None
    created = [p for p in (working_dir, database) if p is not None and not p.exists()]
    pipeline = None
    try:
        with interruptible(), summary.noticing():
            if funnel.enabled():
                funnel.project_dir()  # a missing dbt project is said before a request is spent
            stats, options = RunStats(), chosen.options(args)
            source = chosen.source(run_stats=stats, **options)
            pipeline = runner.make_pipeline(
                args.pipeline_name, args.destination, args.dataset_name, args.pipelines_dir
            )
            destinations.check_destination(pipeline)
            if database is not None:
                destinations.wait_for_duckdb(str(database), args.wait, say=say)
            with RunProgress(stats, enabled=not args.quiet):
                runner.run(pipeline, source, full_refresh=args.full_refresh, stats=stats,
                           summary=summary, wait=args.wait, say=say,
                           again=lambda: chosen.source(run_stats=stats, **options))  # fmt: skip
            for warning in checks.undocumented_values(pipeline, chosen):
                summary.warn(warning)
            if funnel.enabled():  # the vendor's report views and the marts across vendors
                built = funnel.build(pipeline.destination, pipelines_dir=args.pipelines_dir,
                                     datasets={chosen.name: args.dataset_name},
                                     wait=max(args.wait, funnel.BUILD_WAIT))  # fmt: skip
                summary.models = built.describe()
                for warning in built.warnings:
                    summary.warn(warning)
    except (Exception, RunInterrupted) as exc:
        summary.failed(*errors.explain(exc, secrets))
        print(f"error: {summary.error}", file=sys.stderr)
        runner.discard_unneeded(created, pipeline, loaded=bool(summary.load_ids))
    else:
        where = f"{args.destination} {summary.location}" if summary.location else args.destination
        print(f"Loaded into {where}, dataset '{args.dataset_name}':")
        print("\n".join(summary.lines()))
    if args.json_summary:
        summary.write_json(args.json_summary)
    return summary.exit_code


def script() -> NoReturn:
    """The console script, `sequence-funnel`."""
    started()
    finished(main())


if __name__ == "__main__":
    script()
