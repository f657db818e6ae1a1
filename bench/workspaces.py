"""`python -m bench.workspaces`: 20 small Unify workspaces (issue #31), each its own key against
one sandbox (its clock running, as an API's does), loaded into one DuckDB file and into
PostgreSQL when a server is at hand:

- the sum of their single loads (`load unify --workspace wN`, one command each);
- one `load unify` of all 20, `--parallel` 1, 4 and 8: wall time, and its ratio to the sum;
- the fixed cost of a workspace: what one more workspace adds to a run with nothing new,
  (all 20 - one alone) / 19 (goal: under 0.5 s).

Then the same loads with 150 ms added to every response, as a vendor's API across the internet
answers: what `--parallel` is for. The models' build is left out (FUNNEL__BUILD=false): it runs
once per command, after the workspaces, and bench/MODELS.md measures it. Writes
bench/WORKSPACES.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import runtime_only
from bench.harness import PY, ROOT, Sandbox, machine, source_env

RESULTS = ROOT / "bench" / "WORKSPACES.md"
WORKSPACES = 20
ENROLLMENTS = 300  # each workspace's world: small, as an agency's many clients
GOAL_FIXED = 0.5  # seconds a workspace costs beyond its own rows
LATENCY_MS = 150  # added to each response in the second round: an API across the internet


def workspaces_env(base_url: str, count: int) -> dict[str, str]:
    """`count` workspaces `w01`.., each its key (the sandbox takes one: one world for all)."""
    env = os.environ | {"RUNTIME__DLTHUB_TELEMETRY": "false", "FUNNEL__BUILD": "false"}
    env |= runtime_only.environment()
    env |= source_env("unify", "unused", base_url, backfill="list", enrollment_steps="false")
    del env["SOURCES__UNIFY__API_KEY"]
    for k in range(1, count + 1):
        env[f"SOURCES__UNIFY__WORKSPACES__W{k:02d}__API_KEY"] = "unify-sandbox-key"
    return env


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return time.perf_counter() - started


def load(work: Path, env: dict[str, str], *args: str) -> list[str]:
    return [PY, "-m", "bench.runtime_only", "load", "unify", "--quiet",
            "--pipelines-dir", str(work / "p"), *args]  # fmt: skip


def fresh(work: Path, where: dict[str, str]) -> dict[str, str]:
    """An empty work dir, and a destination of its own there (DuckDB) or as given."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return {"DESTINATION__DUCKDB__CREDENTIALS": str(work / "w.duckdb")} | where


def measure(sandbox: Sandbox, root: Path, label: str, where: dict[str, str],
            destination: list[str], reset: Callable[[], None], nothing_new: bool = True
            ) -> list[tuple[str, float, str]]:  # fmt: skip
    """Rows of (scenario, seconds, ratio to the sum of single loads) for one destination;
    `reset` gives `where` an empty destination before each run. With `nothing_new`, the runs
    with nothing new and the fixed cost per workspace too."""
    env = workspaces_env(sandbox.base_url, WORKSPACES)
    work = root / label
    reset()
    env_here = env | fresh(work, where)
    singles = sum(
        timed(load(work, env_here, "--workspace", f"w{k:02d}", *destination), env_here)
        for k in range(1, WORKSPACES + 1)
    )
    rows = [(f"{WORKSPACES} single loads, one command each (sum)", singles, "1.00x")]
    for parallel in (1, 4, 8):
        reset()
        env_here = env | fresh(work, where)
        seconds = timed(load(work, env_here, "--parallel", str(parallel), *destination), env_here)
        rows.append((f"one load of all {WORKSPACES}, --parallel {parallel}", seconds,
                     f"{singles / seconds:.2f}x"))  # fmt: skip
    if not nothing_new:
        return rows
    every = timed(load(work, env_here, "--parallel", "1", *destination), env_here)
    one = timed(load(work, env_here, "--workspace", "w01", *destination), env_here)
    fixed = (every - one) / (WORKSPACES - 1)
    rows += [
        (f"all {WORKSPACES} again, nothing new, --parallel 1", every, ""),
        ("one of them alone again, nothing new", one, ""),
        (f"fixed cost per workspace: (all - one) / {WORKSPACES - 1}", fixed,
         "met" if fixed < GOAL_FIXED else "NOT met"),
    ]  # fmt: skip
    return rows


def postgres() -> Any:
    """A throwaway PostgreSQL server (the test suite's), or None where none is installed."""
    from tests.support.warehouses import ThrowawayPostgres, postgres_bin_dir

    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        return None
    return ThrowawayPostgres(bin_dir, Path(tempfile.mkdtemp(prefix="sf-postgres-"))).start()


def render(results: dict[str, list[tuple[str, float, str]]]) -> str:
    lines = [
        "# Many workspaces: the benchmark", "",
        f"`make bench` (`python -m bench.workspaces`), {machine()}. {WORKSPACES} Unify workspaces",
        f"of {ENROLLMENTS} enrollments each, against one sandbox (its documented limits off, its",
        "clock running), list backfill, no enrollment steps, no models' build. Ratio: the sum of",
        "the single loads over the run's wall time (higher is faster). A single load's command",
        "pays the imports (about 1.5 s) once per workspace, a run of all of them once, and",
        "`--parallel N` once per worker. The second round adds",
        f"{LATENCY_MS} ms to every response, as an API across the internet answers.", "",
    ]  # fmt: skip
    for destination, rows in results.items():
        lines += [f"## {destination}", "", "| run | seconds | ratio |", "| --- | ---: | ---: |"]
        lines += [f"| {name} | {seconds:.2f} | {ratio} |" for name, seconds, ratio in rows]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workspaces")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    world = ["--enrollments", str(ENROLLMENTS)]
    rounds = [("", Sandbox("unify", world, frozen=False))]
    results: dict[str, list[tuple[str, float, str]]] = {}
    server = None
    try:
        slow = Sandbox("unify", [*world, "--latency-ms", str(LATENCY_MS)], frozen=False)
        rounds.append((f", {LATENCY_MS} ms per response", slow))
        server = postgres()
        where: dict[str, str] = {}

        def reset() -> None:  # a database of its own for each run
            where["DESTINATION__POSTGRES__CREDENTIALS"] = server.new_database().dsn

        with tempfile.TemporaryDirectory(prefix="bench-workspaces-") as scratch:
            root = Path(scratch)
            for suffix, sandbox in rounds:
                first = not suffix  # the fixed cost is measured without the latency
                results[f"DuckDB (one file: loads take turns){suffix}"] = measure(
                    sandbox, root, "duckdb", {}, [], lambda: None, nothing_new=first
                )
                if server is not None:
                    results[f"PostgreSQL{suffix}"] = measure(
                        sandbox, root, "postgres", where, ["--destination", "postgres"], reset,
                        nothing_new=first,
                    )  # fmt: skip
    finally:
        for _, sandbox in rounds:
            sandbox.stop()
        if server is not None:
            server.stop()
    shown = render(results)
    print(shown)
    if not args.no_write:
        RESULTS.write_text(shown + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
