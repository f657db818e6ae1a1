"""`sequence-funnel guards`: the guards listed; `--plan`, what each would do now in every tool and
workspace loaded (nothing written); `--run`, each enabled guard run there as after a load."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines import destinations, errors
from pipelines.summary import OK, write_json

if TYPE_CHECKING:
    from pipelines.guards.files import Guard
    from pipelines.guards.runs import GuardRun


def add_parser(commands: Any, wait: Callable[[argparse.ArgumentParser, str], None]) -> None:
    parser = commands.add_parser(
        "guards", help="list the guards (guards/*.yml); --plan: what each would do; --run: run them"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--plan", action="store_true",
        help="what every guard would do now, in each tool and workspace loaded",
    )  # fmt: skip
    mode.add_argument(
        "--run", action="store_true",
        help="run the enabled guards as after a load (plan first, then apply)",
    )  # fmt: skip
    parser.add_argument("--workspace", metavar="NAME", default=None,
                        help="in this workspace only (default: every one loaded)")  # fmt: skip
    parser.add_argument("--destination", default="duckdb", help="any dlt destination (duckdb)")
    parser.add_argument("--pipelines-dir", default=None, help="where dlt keeps pipeline state")
    parser.add_argument("--json-summary", metavar="PATH",
                        help="also write each guard's targets and outcomes as JSON")  # fmt: skip
    wait(parser, "a run or a reader holding the DuckDB file")


def main(args: argparse.Namespace, refresh: Callable[[list[str]], int],
         say: Callable[[str], None]) -> int:  # fmt: skip
    """The guards listed, planned or run; `refresh` runs `sequence-funnel` with the arguments
    of a load after an action, for a workspace a guard acted in."""
    from pipelines.guards.files import listing, read_guards  # the guards' imports: theirs only
    from pipelines.interrupts import RunInterrupted, interruptible
    from sources.common.vendors import specs

    keys = [key for chosen in specs().values() for key in chosen.secret_keys]
    secrets = errors.configured_secrets(*keys, *destinations.secret_settings(args.destination))
    runs: list[GuardRun] = []
    try:
        with interruptible():
            guards = read_guards()
            if not (args.plan or args.run):
                print("\n".join(listing(guards)))
                return OK
            database = destinations.duckdb_file() if args.destination == "duckdb" else None
            if database is not None and not Path(database).is_file():
                print(f"error: no DuckDB file at {Path(database).resolve()}: load a tool first"
                      " (sequence-funnel load <vendor>)", file=sys.stderr)  # fmt: skip
                return errors.CONFIG_ERROR
            code = _run(args, guards, runs, refresh, say)
    except (Exception, RunInterrupted) as exc:  # a guard file, the configuration, a signal
        message, code = errors.explain(exc, secrets)
        print(f"error: {message}", file=sys.stderr)
    if args.json_summary and (args.plan or args.run):
        write_json(args.json_summary, {"guards": [r.as_dict() for r in runs], "exit_code": code})
    return code


def _run(args: argparse.Namespace, guards: list[Guard], runs: list[GuardRun],
         refresh: Callable[[list[str]], int], say: Callable[[str], None]) -> int:  # fmt: skip
    """Each guard (enabled, or any with --plan) in each tool's workspaces loaded, each run
    printed and kept in `runs`; a workspace a guard acted in is read again. The first refused
    or failed run's exit code."""
    from pipelines import acting, workspaces
    from pipelines.guards.runs import run_guards
    from sources.common.vendors import specs

    loaded, code = _loaded(args, say), OK
    for name, chosen in specs().items():
        wanted = [g for g in guards if name in g.parts and (g.enabled or args.plan)]
        if not wanted:
            continue
        spaces = [w for w in workspaces.configured(chosen)
                  if args.workspace in (None, w.name) and w.dataset in loaded[name]]  # fmt: skip
        if not spaces:
            print(f"{chosen.title}: no workspace loaded{_in(args.workspace)}: nothing guarded")
            continue
        done = run_guards(chosen, [(w, w.dataset) for w in spaces], guards=wanted,
                          destination=args.destination, preview=args.plan, wait=args.wait,
                          say=say)  # fmt: skip
        runs += done
        for run in done:
            print("\n".join(run.lines()))
            code = code or run.exit_code
        for space in sorted({r.workspace for r in done if r.acted}):
            argv = acting.refresh_argv(name, args.destination, space,
                                       pipelines_dir=args.pipelines_dir)  # fmt: skip
            print(f"refreshing: sequence-funnel {' '.join(argv)}")
            code = refresh(argv) or code
    return code


def _in(workspace: str | None) -> str:
    return f" named {workspace}" if workspace else ""


def _loaded(args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, set[str]]:
    """Per tool, the datasets its source was loaded into, in the destination."""
    from pipelines import acting
    from pipelines.funnel import funnel_dataset
    from pipelines.funnel.workspaces import loaded_datasets
    from sources.common.vendors import specs

    with acting.on_dataset("guards", args.destination, funnel_dataset(), args.wait, say) as sql:
        return loaded_datasets(sql, specs())
