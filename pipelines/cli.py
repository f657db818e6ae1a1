"""`sequence-funnel`: load a vendor's data, report its funnel, act on it, run the demo.

    sequence-funnel load unify                      # incremental, into sequence_funnel.duckdb
    sequence-funnel load unify --since 2026-01-01   # a first load from a date
    sequence-funnel report unify                    # the funnel by sequence, as a table
    sequence-funnel demo                            # the embedded sandbox, a local DuckDB file
    sequence-funnel act unify pause-enrollment --select "select id from ..."  # the plan
    sequence-funnel guards --plan                   # what each guard would do now
    sequence-funnel listen                          # receive Instantly's and Sequenzy's webhooks

API keys come from the environment (SOURCES__<VENDOR>__API_KEY) or .dlt/secrets.toml.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NoReturn

import duckdb
import pyarrow as pa

from pipelines import destinations, errors, funnel, workspaces
from pipelines.guards import command as guards_command
from pipelines.interrupts import RunInterrupted, interruptible
from pipelines.listen import command as listen_command
from pipelines.loading import load
from pipelines.process import finished, started
from pipelines.reports import report, report_all, say
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


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


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
    report.add_argument("--workspace", metavar="NAME", default=None,
                        help="one workspace's funnel (default: every workspace's)")  # fmt: skip
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
    guards_command.add_parser(commands, _wait)
    listen_command.add_parser(commands)
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
        one.add_argument(
            "--workspace", metavar="NAME", default=None,
            help="load this configured workspace only (default: every one, docs/workspaces.md)",
        )  # fmt: skip
        one.add_argument(
            "--after-act", action="store_true",
            help="read now what an action may have changed (what `act` runs after an apply)",
        )  # fmt: skip
        one.add_argument(
            "--parallel", type=_positive, default=None, metavar="N",
            help="load N workspaces at once (default: one per core; one into a DuckDB file)",
        )  # fmt: skip
        shown = reports.add_parser(name, help=f"the {chosen.title} funnel by sequence")
        _where(shown, name)
        shown.add_argument("--workspace", metavar="NAME", default=argparse.SUPPRESS,
                           help="this workspace only (default: each, apart)")  # fmt: skip
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
    parser.add_argument("--workspace", metavar="NAME", default=None,
                        help="the workspace acted on (where the vendor has several)")  # fmt: skip
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
    if args.command == "guards":
        return guards_command.main(args, main, say)
    if args.command == "listen":
        return listen_command.main(args, say)
    if args.command == "report" and (args.all or args.vendor is None):
        return report_all(args, build_parser())
    if args.command == "report" and args.html:  # the page is the funnel across vendors
        build_parser().error(
            f"--html goes with --all: sequence-funnel report --all --html {args.html}"
        )
    chosen = spec(args.vendor)
    if args.command in ("load", "act"):  # each workspace's own names (pipelines.workspaces)
        return load(chosen, args) if args.command == "load" else act(chosen, args)
    args.dataset_name = args.dataset_name or chosen.name
    args.pipeline_name = args.pipeline_name or chosen.name
    return report(chosen, args)


def act(chosen: VendorSpec, args: argparse.Namespace) -> int:
    """The plan, and with --apply each target acted on once, in one workspace (the one
    --workspace names: every action names its workspace where the vendor has several); then an
    incremental load of that workspace so the warehouse shows the new states."""
    from pipelines import acting

    secrets = errors.configured_secrets(
        *chosen.secret_keys, *destinations.secret_settings(args.destination)
    )
    try:
        with interruptible():
            space = workspaces.acted_on(chosen, args.workspace)
            secrets += space.secrets
            result = acting.act(chosen.name, args.action, args.select, apply=args.apply,
                                most=args.most, destination=args.destination,
                                dataset_name=args.dataset_name, workspace=space,
                                wait=args.wait, say=say)  # fmt: skip
    except (Exception, RunInterrupted) as exc:
        message, code = errors.explain(exc, secrets)
        print(f"error: {message}", file=sys.stderr)
        return code
    print("\n".join(result.lines))
    if not (args.apply and args.refresh and result.outcomes[acting.Outcome.DONE.value]):
        return result.exit_code
    refresh = acting.refresh_argv(chosen.name, args.destination, args.workspace,
                                  dataset_name=args.dataset_name, pipeline_name=args.pipeline_name,
                                  pipelines_dir=args.pipelines_dir)  # fmt: skip
    print(f"refreshing: sequence-funnel {' '.join(refresh)}")
    loaded = main(refresh)
    return result.exit_code or loaded


def script() -> NoReturn:
    """The console script, `sequence-funnel`."""
    started()
    finished(main())


if __name__ == "__main__":
    script()
