"""dbt in a child process that cannot outlive the run that started it (pipelines.children): an
orphaned `dbt build` would hold the DuckDB file, and the next scheduled run would load, then fail
on its lock. The parent kills the child's process group on every way out of `run`: an error, a
SIGTERM or SIGINT turned into an exception (pipelines.interrupts), or a normal end.

Why a child and not dbt's programmatic runner in this process (measured, bench/unify/RESULTS.md):
the two cost the same for the one build a command makes (dbt's import and parse dominate, and
partial parsing serves both), while dbtRunner is not safe to call twice at once in one process (many
workspaces on one Dagster process), keeps its manifest and adapters in the caller, and would open
the DuckDB file in the same process as the load's connection.

This module imports only the standard library and, in the child, dbt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipelines.children import die_with, kill_group


def run(dbt_args: list[str], *, env: dict[str, str], cwd: Path, scratch: Path) -> dict[str, Any]:
    """`dbt <dbt_args>` in the child; returns what it reported: `nodes` (each a dict of
    unique_id, name, resource_type, status, message, failures) and `error` (dbt's own words when
    it could not run at all, else None). dbt's output is in `scratch`/output.log."""
    scratch.mkdir(parents=True, exist_ok=True)
    results = scratch / "results.json"
    results.unlink(missing_ok=True)
    argv = [sys.executable, "-m", __name__, str(os.getpid()), str(results), *dbt_args]
    with open(scratch / "output.log", "wb") as output:
        child = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT, process_group=0,
        )  # fmt: skip
        try:
            code = child.wait()
        finally:
            kill_group(child)
    if not results.is_file():
        tail = (scratch / "output.log").read_text(errors="replace").strip().splitlines()[-1:]
        return {"nodes": [], "error": f"dbt exited {code}: {' '.join(tail)[:300]}"}
    return dict(json.loads(results.read_text()))


def _node(result: Any) -> dict[str, Any]:
    node = result.node
    return {
        "unique_id": node.unique_id,
        "name": node.name,
        "resource_type": str(node.resource_type),
        "status": str(result.status),
        "message": None if result.message is None else str(result.message),
        "failures": result.failures,
    }


def _child(argv: list[str]) -> int:
    parent, results, dbt_args = int(argv[0]), Path(argv[1]), argv[2:]
    die_with(parent)
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke(dbt_args)
    answer = {
        "nodes": [_node(r) for r in getattr(outcome.result, "results", None) or []],
        "error": None if outcome.exception is None else str(outcome.exception),
    }
    partial = results.with_suffix(".part")
    partial.write_text(json.dumps(answer))
    os.replace(partial, results)  # whole or absent, even if killed now
    return 0 if outcome.success else 1


if __name__ == "__main__":
    # The answer is written and dbt has closed its connections: the interpreter's teardown of
    # dbt's module graph (0.3-0.4 s a build, measured) is skipped, as pipelines.process does
    code = _child(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
