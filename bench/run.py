"""`make bench`: the connector against the ceiling and against dlt's defaults, in one run.

`python -m bench.run [--vendor unify]` (every vendor without it). Each scenario
(bench/<vendor>/) is a fresh child process (wall time and peak RSS from wait4), against one
sandbox process on loopback (requests counted by the sandbox). Results go to
bench/results/<vendor>.json and the vendor's RESULTS document, bench/<vendor>/RESULTS.md (its
vendor page in the docs includes it); a run of every vendor at the default size also writes the
speed goals' table, bench/GOALS.md (bench.goals).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import goals, runtime_only
from bench.harness import Bench, Result, Sandbox, machine
from sources.common.vendors import specs


def run_all(
    scenarios: ModuleType, vendor: str, size: int, work: Path, skip: set[str]
) -> list[Result]:
    sandbox = Sandbox(vendor, [scenarios.WORLD_FLAG, str(size)])
    base_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "DESTINATION__"))
    }
    # loads leave the funnel models alone unless a scenario builds them: a backfill is compared
    # with fetching its pages, and the models' build is a scenario of its own where there is one
    base_env |= {"RUNTIME__DLTHUB_TELEMETRY": "false", "FUNNEL__BUILD": "false"}
    base_env |= scenarios.environment(sandbox.base_url) | runtime_only.environment()
    bench = Bench(vendor, scenarios.COUNTED, sandbox, work, base_env)
    try:
        results = scenarios.scenarios(bench, skip)
    finally:
        sandbox.stop()
    for r in results:
        r.rows_per_s = r.rows / r.seconds if r.seconds else 0.0
    by = {r.scenario: r for r in results}
    for r in results:
        ceiling = by.get(r.ceiling)
        if ceiling and ceiling.rows_per_s:
            r.ratio = r.rows_per_s / ceiling.rows_per_s
    return results


def render(scenarios: ModuleType, results: list[Result], extra: list[Result]) -> str:
    lines = [
        "| | scenario | rows | wall s | rows/s | x ceiling | peak RSS MB | requests |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results + extra:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        rate = f"{r.rows_per_s:,.0f}" if r.ceiling else ""
        lines.append(f"| {r.scenario} | {r.label} | {r.rows:,} | {r.seconds:.2f} | {rate} | {ratio}"
                     f" | {r.peak_rss_mb:.0f} | {r.requests:,} |")  # fmt: skip
    lines += ["", "| target | measured | met |", "| --- | --- | --- |"]
    for name, value, ok in scenarios.targets(results, extra):
        met = "—" if ok is None else ("yes" if ok else "no")  # None: a figure, not a target
        lines.append(f"| {name} | {value} | {met} |")
    return "\n".join(lines)


def sized(results: list[Result], size: int) -> list[Result]:
    """The results of a run on another world, named for its size (`b@20,000`); each keeps
    its own ceiling of that run."""
    for r in results:
        r.scenario, r.label = f"{r.scenario}@{size:,}", f"{r.label} at {size:,}"
        r.ceiling = f"{r.ceiling}@{size:,}" if r.ceiling else ""
    return results


NOTES = "<!-- notes: kept by bench.run across runs -->"


def write_summary(scenarios: ModuleType, payload: dict[str, Any]) -> None:
    """The vendor's RESULTS document: the generated figures, then the hand-written notes kept
    as they were."""
    path: Path = scenarios.RESULTS
    notes = ""
    if path.exists() and NOTES in path.read_text():
        notes = path.read_text().split(NOTES, 1)[1]
    results = [Result(**r) for r in payload["results"]]
    extra = [Result(**r) for r in payload.get("extra", [])]
    size = f"{payload['size']:,} {scenarios.WORLD_FLAG.lstrip('-')}"
    intro = (f"Latest `make bench` ({payload['at']}), {size}, the sandbox on loopback in its own"
             f" process.\n\nMachine: {payload['machine']}")  # fmt: skip
    table = render(scenarios, results, extra)
    notes = notes or "\n"
    path.write_text(f"# Benchmark results\n\n{intro}\n\n{table}\n\n{NOTES}{notes}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--vendor", choices=list(specs()), action="append",
                        help="this vendor's scenarios (repeatable; default: all)")  # fmt: skip
    parser.add_argument("--size", "--enrollments", type=int, default=goals.SIZE,
                        help="records in the sandbox's world (enrollments, leads)")  # fmt: skip
    parser.add_argument("--skip", default="", help="scenarios to leave out, e.g. c,e")
    parser.add_argument(
        "--also", type=int, default=0, help="also a backfill at this size (P2 at 1M)"
    )
    parser.add_argument("--no-write", action="store_true", help="do not rewrite RESULTS")
    args = parser.parse_args(argv)
    for vendor in args.vendor or specs():
        if importlib.util.find_spec(f"bench.{vendor}") is None:
            print(f"{vendor}: no scenarios (bench/{vendor}/): not measured")
            continue
        bench_vendor(vendor, args)
    if args.vendor is None and args.size == goals.SIZE and not args.no_write:
        print(f"\nThe speed goals\n\n{goals.write(machine())}")
    return 0


def bench_vendor(vendor: str, args: argparse.Namespace) -> None:
    """The vendor's scenarios (bench/<vendor>/), printed, kept as JSON and in its RESULTS."""
    scenarios = importlib.import_module(f"bench.{vendor}")
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        results = run_all(scenarios, vendor, args.size, Path(tmp), skip)
        extra: list[Result] = []
        small = (getattr(scenarios, "SMALL", 0), getattr(scenarios, "SMALL_SKIP", set()))
        for size, left_out in (small, (args.also, scenarios.SECONDARY)):
            if size:
                extra += sized(run_all(scenarios, vendor, size, Path(tmp) / str(size),
                                       left_out), size)  # fmt: skip
    table = render(scenarios, results, extra)
    print(f"\n{args.size:,} {scenarios.WORLD_FLAG.lstrip('-')} — {machine()}\n\n{table}")
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    payload = {"vendor": vendor, "size": args.size, "machine": machine(), "at": at,
               "results": [asdict(r) for r in results],
               "extra": [asdict(r) for r in extra]}  # fmt: skip
    goals.RESULTS.mkdir(exist_ok=True)  # where bench.goals reads each vendor's figures
    (goals.RESULTS / f"{vendor}.json").write_text(json.dumps(payload, indent=2))
    if not args.no_write:
        write_summary(scenarios, payload)


if __name__ == "__main__":
    sys.exit(main())
