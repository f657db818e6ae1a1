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

from bench.harness import ROOT
from bench.run import machine

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
    with duckdb.connect(str(path)) as con:  # a vendor's new field: a new column
        con.execute("alter table unify.enrollments add column bench_new_field varchar")
    rebuild, status = _timed_build(path, pipelines_dir)
    assert status == "built", status
    return {"first": first, "rebuild": rebuild, "unchanged": statistics.median(checks)}


def _shown(key: str, seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if key == "unchanged" else f"{seconds:.2f} s"


def render(figures: dict[str, float]) -> str:
    labels = {
        "first": "the demo's first build (no partial parse kept)",
        "rebuild": "a rebuild after a loaded table gains a column",
        "unchanged": f"the check that finds nothing changed (median of {CHECKS})",
    }
    lines = ["| build | measured | goal | met |", "| --- | ---: | ---: | --- |"]
    for key, label in labels.items():
        value, goal = figures[key], GOALS[key]
        met = "yes" if value <= goal else "no"
        lines.append(f"| {label} | {_shown(key, value)} | {_shown(key, goal)} | {met} |")
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
