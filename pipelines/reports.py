"""`sequence-funnel report <vendor>` and `report --all`: the funnel read from a destination,
printed as terminal tables (and with --html, a page)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dlt.common.destination.exceptions import DestinationUndefinedEntity

from pipelines import destinations, errors, funnel, reporting, runner, turns
from pipelines.summary import OK
from sources.common.errors import ConfigurationError
from sources.common.vendors import VendorSpec


def say(line: str) -> None:
    """A line for the person waiting (a wait for a held file), on stderr at once."""
    print(line, file=sys.stderr, flush=True)


def report(chosen: VendorSpec, args: argparse.Namespace) -> int:
    """The funnel by sequence from the vendor's report views (dbt models a load builds), as a
    terminal table: one per workspace (each client of an agency apart), or the one --workspace
    names."""
    hint = f"sequence-funnel load {chosen.name}"

    def render(pipeline: Any) -> str:
        found = reporting.workspaces_reported(pipeline, chosen)
        if args.workspace is not None and args.workspace not in found:
            raise ConfigurationError(
                f"no {chosen.title} workspace {args.workspace!r} in the funnel"
                f" (there: {', '.join(found) or 'none'})"
            )
        shown = [args.workspace] if args.workspace is not None else found or ["default"]
        tables = []
        for workspace in shown:
            read = reporting.read_funnel(pipeline, chosen, funnel.funnel_dataset(), workspace)
            heading = [f"Workspace {workspace}:"] if len(found) > 1 else []
            tables.append("\n".join([*heading, reporting.format_report(read)]))
        return "\n\n".join(tables)

    return show(args, hint, render)


def report_all(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The funnel across every vendor loaded, from the `funnel` marts."""
    if not args.all:
        parser.error("report: name a vendor (report unify) or give --all")
    from pipelines.funnel import page
    from pipelines.funnel import report as cross_vendor

    def render(pipeline: Any) -> str:
        read = cross_vendor.read(pipeline, args.workspace)
        if args.workspace is not None and not read.by_vendor:
            raise ConfigurationError(f"no workspace {args.workspace!r} in the funnel")
        shown = cross_vendor.format_report(read)
        if args.html:
            written = page.write(pipeline, read, args.html).resolve()
            shown += f"\n\nThe funnel as a page: {written}"
        return shown

    args.dataset_name = args.dataset_name or funnel.funnel_dataset()
    args.pipeline_name = args.pipeline_name or "funnel"
    return show(args, "sequence-funnel load <vendor>", render)


def show(args: argparse.Namespace, hint: str, render: Callable[[Any], str]) -> int:
    """Print what `render` reads from the destination. It only reads: no pipeline state is
    written (a throwaway pipelines dir) and no DuckDB file is created where there is none."""
    if args.demo:  # what `make demo` loaded
        from pipelines.demo import DEMO_DATABASE

        database: str | None = str(DEMO_DATABASE)
        destination = destinations.reading_destination("duckdb", database)
    else:
        database = destinations.duckdb_file() if args.destination == "duckdb" else None
        destination = destinations.reading_destination(args.destination)
    if database is not None and not Path(database).is_file():
        where = Path(database).resolve()
        if args.demo:  # `make demo` writes _demo/ in the folder it runs in
            print(f"error: no demo at {where}: run `sequence-funnel demo` (make demo) in"
                  f" {Path.cwd()} first, or this where it ran", file=sys.stderr)  # fmt: skip
        else:
            print(f"error: no DuckDB file at {where}: run a load first ({hint}), or set"
                  " DESTINATION__DUCKDB__CREDENTIALS to the file", file=sys.stderr)  # fmt: skip
        return errors.CONFIG_ERROR
    turn = (  # a reader: in the DuckDB file's turn, it waits for a writer only
        turns.duckdb_turn(database, args.wait, say, read_only=True)
        if database is not None
        else contextlib.nullcontext()
    )
    try:
        with turn, tempfile.TemporaryDirectory(prefix="sequence-funnel-report-") as scratch:
            pipeline = runner.make_pipeline(
                args.pipeline_name, destination, args.dataset_name, scratch
            )
            shown = render(pipeline)
    except DestinationUndefinedEntity:
        print(f"error: no funnel views in dataset '{args.dataset_name}' of {args.destination}:"
              f" run a load first ({hint}), which builds them unless FUNNEL__BUILD=false",
              file=sys.stderr)  # fmt: skip
        return errors.CONFIG_ERROR
    except Exception as exc:
        secrets = errors.configured_secrets(*destinations.secret_settings(args.destination))
        message, code = errors.explain(exc, secrets)
        print(f"error: {message}", file=sys.stderr)
        return code
    print(shown)
    return OK
