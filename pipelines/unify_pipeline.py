"""Load Unify sequences and enrollments into DuckDB (default) or any dlt destination.

    python -m pipelines.unify_pipeline                     # incremental, sequence_funnel.duckdb
    python -m pipelines.unify_pipeline --since 2026-01-01  # first load from a date
    python -m pipelines.unify_pipeline --demo              # embedded sandbox, local DuckDB file
    python -m pipelines.unify_pipeline report              # the funnel by sequence, as a table

The API key comes from SOURCES__UNIFY__API_KEY or [sources.unify] api_key in .dlt/secrets.toml.
"""

from __future__ import annotations

import argparse
import logging
import sys

import pyarrow as pa
from dlt.common.destination.exceptions import DestinationUndefinedEntity

from pipelines import reporting, runner
from sources import unify
from sources.unify.settings import KEY_SETTING


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.unify_pipeline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "command", nargs="?", choices=("load", "report"), default="load",
        help="load (the default), or report: print the funnel from the loaded destination",
    )  # fmt: skip
    parser.add_argument("--destination", default="duckdb", help="any dlt destination (duckdb)")
    parser.add_argument("--dataset-name", default="unify", help="schema/dataset name (unify)")
    parser.add_argument("--pipeline-name", default="unify", help="dlt pipeline name (unify)")
    parser.add_argument("--pipelines-dir", default=None, help="where dlt keeps pipeline state")
    parser.add_argument(
        "--full-refresh", action="store_true", help="drop this source's tables and state first"
    )
    parser.add_argument("--since", help="first load only: enrollments updated since this date")
    parser.add_argument(
        "--backfill", choices=("bulk", "list"), default=None,
        help="how a first load reads enrollments: a Bulk API query job (bulk, the default) or"
        " the list endpoint (list: slower, but keeps created_at)",
    )  # fmt: skip
    parser.add_argument(
        "--no-enrollment-steps", dest="enrollment_steps", action="store_false", default=None,
        help="skip enrollment steps (they cost a Bulk API query job per export)",
    )  # fmt: skip
    parser.add_argument("--demo", action="store_true", help="run against the embedded sandbox")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--json-summary", metavar="PATH", help="also write the run summary as JSON (for monitors)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Arrow's default allocator keeps freed memory for reuse; the system one gives it back, which
    # keeps a long backfill's peak memory flat (measured: about 100 MB less at 100k enrollments).
    pa.set_memory_pool(pa.system_memory_pool())
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "report":
        return report(args)
    if args.demo:
        from pipelines.demo import run_demo  # the only path into the sandbox

        return run_demo()
    secrets = runner.configured_secrets(
        "sources.unify.api_key", f"destination.{args.destination}.credentials"
    )
    summary = runner.RunSummary(
        pipeline=args.pipeline_name, destination=args.destination, dataset=args.dataset_name
    )
    try:
        chosen = {"backfill": args.backfill, "enrollment_steps": args.enrollment_steps}
        options = {k: v for k, v in chosen.items() if v is not None}  # else: config, defaults
        source = unify.unify_source(initial_updated_after=args.since, **options)
        pipeline = runner.make_pipeline(
            args.pipeline_name, args.destination, args.dataset_name, args.pipelines_dir,
            progress=not args.quiet,
        )  # fmt: skip
        runner.run(
            pipeline, source, full_refresh=args.full_refresh, stats=unify.run_stats,
            summary=summary,
        )  # fmt: skip
        reporting.create_views(pipeline)
    except Exception as exc:
        summary.failed(*runner.explain(exc, secrets, KEY_SETTING))
        print(f"error: {summary.error}", file=sys.stderr)
    else:
        print(f"Loaded into {args.destination} dataset '{args.dataset_name}':")
        print("\n".join(summary.lines()))
    if args.json_summary:
        summary.write_json(args.json_summary)
    return summary.exit_code


def report(args: argparse.Namespace) -> int:
    """The funnel by sequence from the destination's reporting views, as a terminal table."""
    where = (args.pipeline_name, args.destination, args.dataset_name, args.pipelines_dir)
    if args.demo:  # what `make demo` loaded
        from pipelines.demo import DEMO_DATABASE, DEMO_DIR, DEMO_PIPELINE

        database = runner.duckdb_destination(str(DEMO_DATABASE))
        where = (DEMO_PIPELINE, database, "unify", str(DEMO_DIR / "pipelines"))
    try:
        pipeline = runner.make_pipeline(*where, progress=False)
        rows = reporting.funnel_rows(pipeline)
    except DestinationUndefinedEntity:
        print(
            f"error: no funnel views in dataset '{args.dataset_name}' of {args.destination}:"
            " run a load first (python -m pipelines.unify_pipeline)",
            file=sys.stderr,
        )
        return runner.CONFIG_ERROR
    except Exception as exc:
        secrets = runner.configured_secrets(f"destination.{args.destination}.credentials")
        message, code = runner.explain(exc, secrets, KEY_SETTING)
        print(f"error: {message}", file=sys.stderr)
        return code
    print(reporting.format_report(rows))
    return runner.OK


if __name__ == "__main__":
    sys.exit(main())
