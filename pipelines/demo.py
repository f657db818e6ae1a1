"""`sequence-funnel demo` (`make demo`): every vendor's embedded sandbox, a real load of each
into one local DuckDB file, an increment after six hours of activity, a funnel summary per
vendor.

This is the one product module that imports the sandbox: each vendor's world for the demo is
`demo_world(seed, shared_people, anchor_us)` in `sandbox/<vendor>/demo.py`.
"""

from __future__ import annotations

import functools
import importlib
import shutil
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from pipelines import destinations, funnel, reporting, runner
from pipelines.summary import OK
from sources.common.stats import RunStats
from sources.common.vendors import VendorSpec, specs

DEMO_DIR = Path("_demo")
DEMO_DATABASE = DEMO_DIR / destinations.DEFAULT_DUCKDB_FILE
SIX_HOURS = 6 * 3600
SHARED_PEOPLE = 300  # people every demo world has (the same addresses): the cross-vendor funnel's


def demo_pipeline_name(vendor_name: str) -> str:
    return f"{vendor_name}_demo"


def _six_hours_ago_us() -> int:
    """Each world's clock at its first load: six hours of activity later, the increment's, it
    is now, so no record lies in the future of the one who reads it."""
    return time.time_ns() // 1000 - SIX_HOURS * 1_000_000


def _world(name: str, seed: int) -> tuple[Any, str, dict[str, Any]]:
    """The vendor's demo sandbox (not yet served), what it holds, the source's settings."""
    world = importlib.import_module(f"sandbox.{name}.demo").demo_world
    return world(seed, SHARED_PEOPLE, _six_hours_ago_us())


def _load(chosen: VendorSpec, seed: int, database: Path) -> None:
    name = chosen.name
    sandbox, seeded, settings = _world(name, seed)
    served: AbstractContextManager[str] = sandbox.serve()
    with served as server:
        base_url = type(sandbox).base_url(server)
        print(f"{chosen.title} sandbox: {seeded} at {base_url}")
        pipeline = runner.make_pipeline(
            demo_pipeline_name(name), destinations.duckdb_destination(str(database)), name,
            str(DEMO_DIR / "pipelines"),
        )  # fmt: skip
        for first in (True, False):
            if not first:
                sandbox.state.advance(SIX_HOURS)
            stats = RunStats()
            again = functools.partial(chosen.source, **settings, base_url=base_url, run_stats=stats)
            summary = runner.run(pipeline, again(), full_refresh=False, stats=stats, again=again)
            print("First load (full):" if first else "Six hours of activity later, an"
                  f" incremental run ({summary.seconds:.1f} s):")  # fmt: skip
            print("\n".join(summary.lines()))
    print()


def _reports(database: Path) -> None:
    """The models built once for every load; each vendor's funnel, then the one across."""
    from pipelines.funnel import report

    destination = destinations.duckdb_destination(str(database))
    built = funnel.build(destination, pipelines_dir=str(DEMO_DIR / "pipelines"))
    print(f"The funnel models (dbt): {built.describe()}")
    print("".join(f"  - {warning}\n" for warning in built.warnings))
    shown = destinations.reading_destination("duckdb", str(database))
    for name, chosen in specs().items():
        pipeline = runner.make_pipeline(demo_pipeline_name(name), shown, name,
                                        str(DEMO_DIR / "pipelines"))  # fmt: skip
        print(f"{chosen.title} funnel (a person counts once per {chosen.report.words[0]}):")
        read = reporting.read_funnel(pipeline, chosen, funnel.funnel_dataset())
        print(reporting.format_report(read))
        print()
    print(f"One funnel across the {len(specs())} tools (schema 'funnel'):")
    print(
        report.format_report(
            report.read(funnel.funnel_pipeline(shown, str(DEMO_DIR / "pipelines")))
        )
    )
    print()


def run_demo(seed: int = 42) -> int:
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir()
    database = DEMO_DATABASE.resolve()
    for chosen in specs().values():
        _load(chosen, seed, database)
    _reports(database)
    print(f"DuckDB file: {database}")
    query = "select status, count(*) from unify.enrollments group by all"
    path = database.relative_to(Path.cwd())
    command = f"import duckdb; duckdb.connect('{path}').sql('{query}').show()"
    print(f'  try: .venv/bin/python -c "{command}"')
    print("Report views are in it too (unify.funnel_by_sequence, instantly.funnel_by_campaign,")
    print("  sequenzy.funnel_by_step, ...): the funnel as a table:")
    print("  .venv/bin/sequence-funnel report sequenzy --demo")
    print("  .venv/bin/sequence-funnel report --all --demo     # across the tools")
    print("  charts: open notebooks/funnel_report.ipynb (it reads this file)")
    return OK


if __name__ == "__main__":
    sys.exit(run_demo())
