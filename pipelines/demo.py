"""`make demo`: the embedded Unify sandbox, a real load into a local DuckDB file, a funnel summary.

This is the one product module that imports the sandbox.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import duckdb

from pipelines import runner
from sources import unify

DEMO_DIR = Path("_demo")
FUNNEL_SQL = """
select s.name as sequence,
       count(*) as enrolled,
       count(e.started_at) as started,
       count(*) filter (where e.is_replied) as replied,
       count(distinct c.reply_email_message_id) filter (where c.category = 'POSITIVE') as positive,
       count(*) filter (where e.is_bounced) as bounced,
       count(*) filter (where e.is_opted_out) as opted_out,
       count(*) filter (where e.status = 'FINISHED') as finished
from {ds}.enrollments e
join {ds}.sequences s on s.id = e.sequence_id
left join {ds}.reply_email_classifications c on c.reply_email_message_id = e.reply_email_message_id
group by 1 order by enrolled desc limit 8
"""


def run_demo(enrollments: int = 5000, seed: int = 42) -> int:
    from sandbox.unify import DEFAULT_API_KEY, UnifySandbox

    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir()
    database = (DEMO_DIR / "sequence_funnel.duckdb").resolve()
    sandbox = UnifySandbox.create(enrollments, seed)
    with sandbox.serve() as server:
        base_url = UnifySandbox.base_url(server)
        print(f"Unify sandbox: {enrollments:,} seeded enrollments at {base_url}")
        pipeline = runner.make_pipeline(
            "unify_demo", runner.duckdb_destination(str(database)), "unify",
            str(DEMO_DIR / "pipelines"), progress=False,
        )  # fmt: skip
        # steps every run, and quick polls: the demo's clock jumps ahead, the wall clock does not
        settings = {"api_key": DEFAULT_API_KEY, "base_url": base_url,
                    "steps_refresh_minutes": 0, "query_job_poll_seconds": 0.2}  # fmt: skip
        source = unify.unify_source(**settings)
        summary = runner.run(pipeline, source, full_refresh=False, stats=unify.run_stats)
        print("First load (full):")
        print("\n".join(summary.lines()))
        sandbox.state.advance(6 * 3600)
        started = time.perf_counter()
        summary = runner.run(
            pipeline, unify.unify_source(**settings),
            full_refresh=False, stats=unify.run_stats,
        )  # fmt: skip
        took = time.perf_counter() - started
        print(f"Six hours of activity later, an incremental run ({took:.1f} s):")
        print("\n".join(summary.lines()))
    _print_funnel(database)
    print(f"\nDuckDB file: {database}")
    query = "select status, count(*) from unify.enrollments group by all"
    path = database.relative_to(Path.cwd())
    command = f"import duckdb; duckdb.connect('{path}').sql('{query}').show()"
    print(f'  try: .venv/bin/python -c "{command}"')
    return runner.OK


def _print_funnel(database: Path) -> None:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.sql(FUNNEL_SQL.format(ds="unify")).fetchall()
    header = (
        "sequence",
        "enrolled",
        "started",
        "replied",
        "positive",
        "bounced",
        "opt-out",
        "finished",
    )
    print("\nFunnel by sequence (top 8):")
    print(f"  {header[0]:<42}" + "".join(f"{h:>9}" for h in header[1:]))
    for name, *counts in rows:
        label = name if len(name) <= 40 else name[:39] + "…"
        print(f"  {label:<42}" + "".join(f"{c:>9,}" for c in counts))


if __name__ == "__main__":
    sys.exit(run_demo())
