"""`python -m bench.models`: the funnel models' build on the demo's file (three vendors), as a
load makes it: the first build (no partial parse kept), a rebuild after a loaded table gains a
column (dbt's partial parse kept under the pipelines dir), and the check that finds nothing
changed (no dbt at all). Writes bench/MODELS.md; goals from issue #30.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dlt
import duckdb

from bench.harness import ROOT, machine

RESULTS = ROOT / "bench" / "MODELS.md"
GOALS = {"first": 5.0, "rebuild": 3.0, "unchanged": 0.050}  # seconds

CHECKS = 7  # unchanged checks timed; the median is kept


def _demo(work: Path) -> Path:
    """The demo's DuckDB file, made by `sequence-funnel demo` in `work`."""
    env = os.environ | {"RUNTIME__DLTHUB_TELEMETRY": "false"}
    script = Path(sys.executable).with_name("sequence-funnel")
    subprocess.run([str(script), "demo"], cwd=work, env=env, check=True, capture_output=True)
    return work / "_demo" / "sequence_funnel.duckdb"


def _timed_build(path: Path, pipelines_dir: Path) -> tuple[float, str]:
    from pipelines import funnel

    started = time.perf_counter()
    built = funnel.build(dlt.destinations.duckdb(str(path)), pipelines_dir=str(pipelines_dir))
    return time.perf_counter() - started, built.status


def measure(work: Path) -> dict[str, float]:
    path = work / "warehouse.duckdb"
    shutil.copy(_demo(work), path)
    with duckdb.connect(str(path)) as con:
        con.execute("drop table funnel._models_built")  # as on a destination never built
    pipelines_dir = work / "pipelines"  # no partial parse yet
    first, status = _timed_build(path, pipelines_dir)
    assert status == "built", status
    checks = []
    for _ in range(CHECKS):
        seconds, status = _timed_build(path, pipelines_dir)
        assert status == "unchanged", status
        checks.append(seconds)
    with duckdb.connect(str(path)) as con:  # dlt's child table for a vendor's new nested list
        con.execute("create table unify.enrollments__bench_list (value varchar)")
    unread, status = _timed_build(path, pipelines_dir)
    assert status == "unchanged", status
    with duckdb.connect(str(path)) as con:  # a vendor's new field: a new column
        con.execute("alter table unify.enrollments add column bench_new_field varchar")
    rebuild, status = _timed_build(path, pipelines_dir)
    assert status == "built", status
    return {"first": first, "rebuild": rebuild, "unchanged": statistics.median(checks),
            "warnings": _warnings(path, pipelines_dir), "unread": unread}  # fmt: skip


def _warnings(path: Path, pipelines_dir: Path) -> float:
    """The part of each check that reads the marts for the build's warnings (median)."""
    from pipelines import funnel
    from pipelines.funnel import counted

    pipeline = funnel.funnel_pipeline(dlt.destinations.duckdb(str(path)), str(pipelines_dir))
    vendors = list(funnel.vendor_datasets())
    seconds = []
    with pipeline.sql_client() as client:
        for _ in range(CHECKS):
            started = time.perf_counter()
            counted.warnings(client, vendors)
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _shown(key: str, seconds: float) -> str:
    return f"{seconds:.2f} s" if key in ("first", "rebuild") else f"{seconds * 1000:.0f} ms"


def render(figures: dict[str, float]) -> str:
    labels = {
        "first": "the demo's first build (no partial parse kept)",
        "rebuild": "a rebuild after a loaded table gains a column (its readers only)",
        "unchanged": f"the check that finds nothing changed (median of {CHECKS})",
        "warnings": "... of which the build's warnings (one pass over the enrollments)",
        "unread": "the check that finds a new table no model reads (no dbt)",
    }
    lines = ["| build | measured | goal | met |", "| --- | ---: | ---: | --- |"]
    for key, label in labels.items():
        value, goal = figures[key], GOALS.get(key)
        met = "" if goal is None else "yes" if value <= goal else "no"
        shown = "" if goal is None else _shown(key, goal)
        lines.append(f"| {label} | {_shown(key, value)} | {shown} | {met} |")
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-models-") as tmp:
        figures = measure(Path(tmp))
    table = render(figures)
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(table)
    RESULTS.write_text(
        f"# The funnel models' build\n\nLatest `make bench` ({at}), on the demo's file (three"
        f" vendors), `python -m bench.models`.\n\nMachine: {machine()}\n\n{table}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
