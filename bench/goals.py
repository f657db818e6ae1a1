"""The speed goals ("Speed, round three") in one table across the vendors: bench/GOALS.md.

`make bench` runs every vendor's scenarios (bench.run), each keeping its figures in
bench/results/<vendor>.json; this reads them, with the suite's last full run on this machine
(bench/results/suite.json, written by tests/conftest.py), and sets each figure against its goal.
A figure missing from the results (a vendor or a scenario not run) is shown as not measured.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import ROOT, machine

RESULTS = ROOT / "bench" / "results"
DOCUMENT = ROOT / "bench" / "GOALS.md"
SIZE = 100_000  # the world every goal is measured at

Figures = dict[str, dict[str, Any]]  # vendor -> scenario -> its result, as bench.run kept it


@dataclass(frozen=True)
class Goal:
    """One row: what is measured, how the figure reads, the goal as written, and whether met."""

    what: str
    vendor: str
    scenario: str
    shown: Callable[[dict[str, Any]], str]
    goal: str
    met: Callable[[dict[str, Any]], bool]


def _ratio(r: dict[str, Any]) -> str:
    return f"{r['ratio']:.2f} x" if r.get("ratio") is not None else "no ceiling"


def _quiet(r: dict[str, Any]) -> str:
    return f"{r['requests']} req, {r['seconds']:.2f} s"


def _peak(r: dict[str, Any]) -> str:
    return f"{r['peak_rss_mb']:.0f} MB"


def _at_least(ratio: float) -> Callable[[dict[str, Any]], bool]:
    return lambda r: (r.get("ratio") or 0.0) >= ratio


def _within(requests: int, seconds: float) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r["requests"] <= requests and r["seconds"] <= seconds


def _under(mb: float) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r["peak_rss_mb"] <= mb


GOALS = (
    Goal("Instantly backfill (leads + emails), x its raw fetch", "instantly", "b",
         _ratio, ">= 0.6 x", _at_least(0.6)),
    Goal("... both on replayed pages (the sandbox's CPU off the cores)", "instantly", "br",
         _ratio, ">= 0.6 x", _at_least(0.6)),
    Goal("Sequenzy backfill (enrollments + events), x its raw fetch", "sequenzy", "b",
         _ratio, ">= 0.7 x", _at_least(0.7)),
    Goal("... both on replayed pages (the sandbox's CPU off the cores)", "sequenzy", "br",
         _ratio, ">= 0.7 x", _at_least(0.7)),
    Goal("Unify list backfill, x its raw fetch", "unify", "b", _ratio, ">= 0.6 x",
         _at_least(0.6)),
    Goal("peak RSS, Unify default first load", "unify", "f1", _peak, "<= 300 MB", _under(300)),
    Goal("peak RSS, Instantly default first load", "instantly", "b", _peak, "<= 300 MB",
         _under(300)),
    Goal("peak RSS, Sequenzy default first load", "sequenzy", "b", _peak, "<= 300 MB",
         _under(300)),
    Goal("Sequenzy nothing-new run", "sequenzy", "d", _quiet, "<= 8 req, <= 1.5 s",
         _within(8, 1.5)),
    Goal("Instantly nothing-new run", "instantly", "d", _quiet, "1 req, <= 1.0 s",
         _within(1, 1.0)),
    Goal("Unify nothing-new run", "unify", "d", _quiet, "1 req, <= 1.0 s", _within(1, 1.0)),
)  # fmt: skip


def read(results: Path = RESULTS) -> tuple[Figures, list[str]]:
    """Each vendor's kept results by scenario, and when each vendor's run was."""
    figures: Figures = {}
    runs = []
    for path in sorted(results.glob("*.json")):
        payload = json.loads(path.read_text())
        if payload.get("vendor") and payload.get("size") == SIZE:
            figures[payload["vendor"]] = {r["scenario"]: r for r in payload["results"]}
            runs.append(f"{payload['vendor']} {payload['at']}")
    return figures, runs


def suite_row(results: Path = RESULTS) -> list[str]:
    """The suite's last full run on this machine, against its goal (10 minutes)."""
    what, goal = "`make test`: the suite's last full run (pytest, its own wall time)", "<= 10 min"
    path = results / "suite.json"
    if not path.exists():
        return [what, "not measured", goal, "—"]
    s = json.loads(path.read_text())
    shown = (f"{s['seconds'] / 60:.1f} min ({s['at']}, {s['passed']} passed, {s['failed']}"
             f" failed, {s['workers']} workers)")  # fmt: skip
    return [what, shown, goal, "yes" if s["seconds"] <= 600 and not s["failed"] else "no"]


def render(figures: Figures, results: Path = RESULTS) -> str:
    lines = ["| what | measured | goal | met |", "| --- | --- | --- | --- |"]
    for g in GOALS:
        r = figures.get(g.vendor, {}).get(g.scenario)
        row = [g.what, g.shown(r), g.goal, "yes" if g.met(r) else "no"] if r else \
            [g.what, "not measured", g.goal, "—"]  # fmt: skip
        lines.append("| " + " | ".join(row) + " |")
    lines.append("| " + " | ".join(suite_row(results)) + " |")
    return "\n".join(lines)


def write(machine: str) -> str:
    """bench/GOALS.md from the kept results; returns the table."""
    figures, runs = read()
    table = render(figures)
    DOCUMENT.write_text(
        f"# The speed goals\n\nLatest `make bench`, {SIZE:,} records a vendor ({'; '.join(runs)})."
        f"\n\nMachine: {machine}\n\n{table}\n"
    )
    return table


if __name__ == "__main__":  # the table again from the kept results (after a new suite run)
    print(write(machine()))
    sys.exit(0)
