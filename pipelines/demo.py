"""`sequence-funnel demo` (`make demo`): the embedded sandbox, a real load into a local DuckDB
file, an increment after six hours of activity, a funnel summary.

This is the one product module that imports the sandbox.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pipelines import destinations, reporting, runner
from pipelines.summary import OK
from pipelines.vendors import vendor
from sources.common.stats import RunStats

DEMO_DIR = Path("_demo")
DEMO_DATABASE = DEMO_DIR / destinations.DEFAULT_DUCKDB_FILE


def demo_pipeline_name(vendor_name: str) -> str:
    return f"{vendor_name}_demo"


def run_demo(enrollments: int = 5000, seed: int = 42) -> int:
    from sandbox.unify import DEFAULT_API_KEY, UnifySandbox

    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir()
    database = DEMO_DATABASE.resolve()
    unify = vendor("unify")
    sandbox = UnifySandbox.create(enrollments, seed)
    with sandbox.serve() as server:
        base_url = UnifySandbox.base_url(server)
        print(f"Unify sandbox: {enrollments:,} seeded enrollments at {base_url}")
        pipeline = runner.make_pipeline(
            demo_pipeline_name("unify"), destinations.duckdb_destination(str(database)), "unify",
            str(DEMO_DIR / "pipelines"),
        )  # fmt: skip
        # steps every run, and quick polls: the demo's clock jumps ahead, the wall clock does not
        settings = {"api_key": DEFAULT_API_KEY, "base_url": base_url,
                    "steps_refresh_minutes": 0, "query_job_poll_seconds": 0.2}  # fmt: skip
        for first in (True, False):
            if not first:
                sandbox.state.advance(6 * 3600)
            stats = RunStats()
            source = unify.source(**settings, run_stats=stats)
            summary = runner.run(pipeline, source, full_refresh=False, stats=stats)
            print("First load (full):" if first else "Six hours of activity later, an"
                  f" incremental run ({summary.seconds:.1f} s):")  # fmt: skip
            print("\n".join(summary.lines()))
    reporting.create_views(pipeline, unify.report)
    print("\nFunnel by sequence (a person counts once per sequence):")
    print(reporting.format_report(reporting.read_funnel(pipeline, unify.report)))
    print(f"\nDuckDB file: {database}")
    query = "select status, count(*) from unify.enrollments group by all"
    path = database.relative_to(Path.cwd())
    command = f"import duckdb; duckdb.connect('{path}').sql('{query}').show()"
    print(f'  try: .venv/bin/python -c "{command}"')
    print("Reporting views are in it too (funnel_by_sequence, step_funnel, daily_funnel, ...):")
    print("  the funnel as a table: .venv/bin/sequence-funnel report unify --demo")
    print("  charts: open notebooks/funnel_report.ipynb (it reads this file)")
    return OK


if __name__ == "__main__":
    sys.exit(run_demo())
