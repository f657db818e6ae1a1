"""`sequence-funnel report --all`: the cross-vendor funnel from the `funnel` marts, as terminal
tables (widths in terminal cells, so CJK and emoji names keep the columns straight)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dlt
from rich.cells import cell_len

from pipelines.english import count
from pipelines.reporting import fit_cell, percent
from sources.common.vendors import titles

MEASURES = ("enrolled", "reached", "opened", "replied", "positive", "bounced", "unsubscribed",
            "reply_rate_pct")  # fmt: skip
HEADER = ("enrolled", "reached", "opened", "replied", "positive", "bounced", "unsub", "reply %")


@dataclass(frozen=True)
class CrossVendorFunnel:
    by_vendor: list[tuple[Any, ...]]  # vendor, workspace, sequences, people, MEASURES
    by_sequence: list[tuple[Any, ...]]  # vendor, workspace, sequence, MEASURES
    overall: tuple[Any, ...]  # as funnel_overall's columns
    workspace: str | None = None  # the one workspace read, else every one

    def label(self, vendor: str, workspace: str) -> str:
        """A tool's name, and the workspace's where several are shown."""
        several = len({w for _, w, *_ in self.by_vendor}) > 1
        title = titles().get(vendor, vendor)
        return f"{title} · {workspace}" if several else title


OVERALL = ("people, people_in_several_tools, reached_by_several_tools, reached, replied_anywhere,"
           " positive_anywhere, emailed_after_positive, enrollments, tools")  # fmt: skip


def read(pipeline: dlt.Pipeline, workspace: str | None = None) -> CrossVendorFunnel:
    """`pipeline` is the funnel's (its dataset holds the marts); `workspace`: that one's funnel
    (funnel_by_workspace's row for the whole), else every workspace's (each tool's apart per
    workspace, the whole together)."""
    columns = ", ".join(MEASURES)
    only, given = ("where workspace = %s", (workspace,)) if workspace else ("", ())
    with pipeline.sql_client() as client:
        ds = client.fully_qualified_dataset_name()
        by_vendor = client.execute_sql(
            f"select vendor, workspace, sequences, people, {columns} from {ds}.funnel_by_vendor"
            f" {only} order by vendor, workspace <> 'default', workspace",
            *given,
        )
        by_sequence = client.execute_sql(
            f"select vendor, workspace, sequence, {columns} from {ds}.funnel_by_sequence {only}"
            " order by vendor, workspace <> 'default', workspace, enrolled desc, sequence",
            *given,
        )
        whole = f"{ds}.funnel_by_workspace" if workspace else f"{ds}.funnel_overall"
        overall = client.execute_sql(f"select {OVERALL} from {whole} {only}", *given)
    return CrossVendorFunnel(
        [tuple(r) for r in by_vendor or []],
        [tuple(r) for r in by_sequence or []],
        tuple(overall[0]) if overall else (0,) * 9,
        workspace,
    )


def _number(value: Any) -> str:
    return "n/a" if value is None else f"{int(value):,}"  # a count the vendor does not give


def _row(name: str, width: int, values: tuple[Any, ...]) -> str:
    *counts, rate = values
    cells = "".join(f"{_number(c):>10}" for c in counts)
    return f"{fit_cell(name, width)}{cells}{percent(rate):>10}"


def overall_lines(funnel: CrossVendorFunnel) -> list[str]:
    """The whole funnel in two sentences (the terminal report's last lines, the page's summary)."""
    people, several, reached_several, reached, replied, positive, still, enrollments, tools = (
        int(v or 0) for v in funnel.overall
    )
    return [
        f"{count(people, 'person', 'people')} in {count(tools, 'tool')}"
        f" ({count(enrollments, 'enrollment')}): {reached:,} reached, {replied:,} replied,"
        f" {positive:,} replied positively",
        f"{count(several, 'person', 'people')} enrolled in more than one tool,"
        f" {reached_several:,} reached by more than one;"
        f" {count(still, 'person', 'people')} still emailed in one sequence after a positive"
        " reply in another",
    ]


def format_report(funnel: CrossVendorFunnel) -> str:
    lines = ["By tool (a person counts once per sequence):"]
    tools = [funnel.label(vendor, workspace) for vendor, workspace, *_ in funnel.by_vendor]
    width = min(max((cell_len(n) for n in [*tools, "tool"]), default=4) + 1, 32)
    width = max(width, 12)
    lines.append(fit_cell("tool", width) + f"{'sequences':>10}{'people':>10}"
                 + "".join(f"{h:>10}" for h in HEADER))  # fmt: skip
    for name, (_, _, sequences, persons, *measures) in zip(tools, funnel.by_vendor, strict=True):
        lines.append(fit_cell(name, width) + f"{int(sequences):>10,}{int(persons):>10,}"
                     + _row("", 0, tuple(measures)))  # fmt: skip
    lines += ["", "By sequence:"]
    labels = [f"{funnel.label(v, w)} · {s or '(unknown)'}" for v, w, s, *_ in funnel.by_sequence]
    width = min(max((cell_len(n) for n in [*labels, "sequence"]), default=8) + 1, 48)
    lines.append(fit_cell("sequence", width) + "".join(f"{h:>10}" for h in HEADER))
    for name, (_, _, _, *measures) in zip(labels, funnel.by_sequence, strict=True):
        lines.append(_row(name, width, tuple(measures)))
    heading = [f"Workspace {funnel.workspace}:"] if funnel.workspace else []
    return "\n".join([*heading, *lines, "", *overall_lines(funnel)])
