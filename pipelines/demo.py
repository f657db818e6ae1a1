"""`sequence-funnel demo` (`make demo`): the embedded sandboxes of Unify, Instantly and
Sequenzy, a real load of each into one local DuckDB file, an increment after six hours of
activity, a funnel summary per vendor.

This is the one product module that imports the sandbox.
"""

from __future__ import annotations

import functools
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from pipelines import destinations, funnel, reporting, runner
from pipelines.summary import OK
from pipelines.vendors import vendor
from sources.common.stats import RunStats

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


def _unify(seed: int) -> tuple[Any, str, dict[str, Any]]:
    from sandbox.unify import DEFAULT_API_KEY, UnifySandbox

    sandbox = UnifySandbox.create(
        5000, seed, shared_people=SHARED_PEOPLE, anchor_us=_six_hours_ago_us()
    )
    # steps every run, and quick polls: the demo's clock jumps ahead, the wall clock does not
    settings = {"api_key": DEFAULT_API_KEY, "steps_refresh_minutes": 0,
                "query_job_poll_seconds": 0.2}  # fmt: skip
    return sandbox, "5,000 seeded enrollments", settings


def _instantly(seed: int) -> tuple[Any, str, dict[str, Any]]:
    from sandbox.instantly import DEFAULT_API_KEY, DOCUMENTED_LIMITS, InstantlySandbox

    # The demo lifts the emails endpoint's 20 requests a minute (at which its 7,000 emails
    # would take six minutes); the workspace limits stand. Listings every run: the demo's clock
    # jumps six hours, the wall clock a few seconds.
    limits = tuple(limit for limit in DOCUMENTED_LIMITS if not limit.path)
    sandbox = InstantlySandbox.create(
        leads=2000, seed=seed, rate_limits=limits, shared_people=SHARED_PEOPLE,
        anchor_us=_six_hours_ago_us(),
    )  # fmt: skip
    settings = {"api_key": DEFAULT_API_KEY, "emails_requests_per_window": 1000,
                "emails_window_seconds": 1, "catalog_refresh_minutes": 0,
                "leads_refresh_minutes": 0, "analytics_refresh_minutes": 0}  # fmt: skip
    return sandbox, "2,000 seeded leads in 12 campaigns", settings


def _sequenzy(seed: int) -> tuple[Any, str, dict[str, Any]]:
    from sandbox.sequenzy import DEFAULT_API_KEY, DOCUMENTED_LIMITS, SequenzySandbox

    # The demo lifts the key's 100 requests a minute (its two runs take some 150 requests in a
    # few seconds, which would wait a minute); the 20 a second stand. Subscribers,
    # conversations and metrics every run: the demo's clock jumps six hours, the wall clock a
    # few seconds.
    limits = tuple(limit for limit in DOCUMENTED_LIMITS if limit.window_seconds <= 1)
    sandbox = SequenzySandbox.create(
        sequences=6, enrollments=3000, seed=seed, rate_limits=limits, shared_people=SHARED_PEOPLE,
        anchor_us=_six_hours_ago_us(),
    )  # fmt: skip
    settings = {"api_key": DEFAULT_API_KEY, "requests_per_minute": 100_000,
                "subscribers_refresh_minutes": 0, "conversations_refresh_minutes": 0,
                "metrics_refresh_minutes": 0}  # fmt: skip
    return sandbox, "3,000 seeded enrollments in 6 sequences", settings


DEMOS: dict[str, Callable[[int], tuple[Any, str, dict[str, Any]]]] = {
    "unify": _unify,
    "instantly": _instantly,
    "sequenzy": _sequenzy,
}


def _load(name: str, seed: int, database: Path) -> None:
    chosen = vendor(name)
    sandbox, seeded, settings = DEMOS[name](seed)
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
    """The models built once for the three loads; each vendor's funnel, then the one across."""
    from pipelines.funnel import report

    destination = destinations.duckdb_destination(str(database))
    built = funnel.build(destination, pipelines_dir=str(DEMO_DIR / "pipelines"))
    print(f"The funnel models (dbt): {built.describe()}")
    print("".join(f"  - {warning}\n" for warning in built.warnings))
    shown = destinations.reading_destination("duckdb", str(database))
    for name in DEMOS:
        chosen = vendor(name)
        pipeline = runner.make_pipeline(demo_pipeline_name(name), shown, name,
                                        str(DEMO_DIR / "pipelines"))  # fmt: skip
        print(f"{chosen.title} funnel (a person counts once per {chosen.report.words[0]}):")
        read = reporting.read_funnel(pipeline, chosen.report, funnel.funnel_dataset())
        print(reporting.format_report(read))
        print()
    print("One funnel across the three tools (schema 'funnel'):")
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
    for name in DEMOS:
        _load(name, seed, database)
    _reports(database)
    print(f"DuckDB file: {database}")
    query = "select status, count(*) from unify.enrollments group by all"
    path = database.relative_to(Path.cwd())
    command = f"import duckdb; duckdb.connect('{path}').sql('{query}').show()"
    print(f'  try: .venv/bin/python -c "{command}"')
    print("Report views are in it too (unify.funnel_by_sequence, instantly.funnel_by_campaign,")
    print("  sequenzy.funnel_by_step, ...): the funnel as a table:")
    print("  .venv/bin/sequence-funnel report sequenzy --demo")
    print("  .venv/bin/sequence-funnel report --all --demo     # across the three tools")
    print("  charts: open notebooks/funnel_report.ipynb (it reads this file)")
    return OK


if __name__ == "__main__":
    sys.exit(run_demo())
