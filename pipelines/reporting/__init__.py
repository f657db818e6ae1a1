"""Each vendor's terminal report, read from its report views.

The views are dbt models (dbt/models/reporting/<vendor>/), built into the vendor's dataset with
the funnel's marts after a load (pipelines.funnel), on the marts' own person-per-sequence model:
the report's numbers are the marts' numbers, in the marts' words. A vendor supplies a
`VendorSpec` in its spec: the view it prints and its words for a sequence and an enrollment
(sources/<vendor>/spec.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dlt
from rich.cells import cell_len, set_cell_size

from pipelines.english import count
from sources.common.vendors import VendorSpec

# the columns of every funnel view (dbt/macros/funnel_measures.sql) a report prints, the rate last
MEASURES = ("enrolled", "reached", "opened", "replied", "positive", "bounced", "unsubscribed",
            "stopped", "finished", "reply_rate_pct")  # fmt: skip
HEADER = ("enrolled", "reached", "opened", "replied", "positive", "bounced", "unsub", "stopped",
          "finished", "reply %")  # fmt: skip


@dataclass(frozen=True)
class Funnel:
    rows: list[tuple[Any, ...]]  # per sequence: its name, then MEASURES
    total: tuple[Any, ...]  # the vendor's row of funnel_by_vendor: people, enrollments, MEASURES
    words: tuple[str, str] = ("sequence", "enrollment")  # the vendor's: campaign and lead


def workspaces_reported(pipeline: dlt.Pipeline, vendor: VendorSpec) -> list[str]:
    """The workspaces in the vendor's report view (pipelines.funnel.workspaces), `default` first."""
    with pipeline.sql_client() as client:
        view = client.make_qualified_table_name(vendor.report.view)
        rows = client.execute_sql(f"select distinct workspace from {view}")
    return sorted((str(r[0]) for r in rows or []), key=lambda w: (w != "default", w))


def read_funnel(
    pipeline: dlt.Pipeline, vendor: VendorSpec, funnel_dataset: str, workspace: str = "default"
) -> Funnel:
    """The vendor's report view, and its total from the marts in `funnel_dataset` (built by the
    same build, from the same person-per-sequence rows), of one workspace."""
    report = vendor.report
    name, columns = report.words[0], ", ".join(MEASURES)
    with pipeline.sql_client() as client:
        view = client.make_qualified_table_name(report.view)
        by_vendor = ".".join(
            client.make_qualified_table_name_path("funnel_by_vendor", dataset_name=funnel_dataset)
        )
        rows = client.execute_sql(
            f"select {name}, {columns} from {view} where workspace = %s"
            f" order by enrolled desc, {name}",
            workspace,
        )
        total = client.execute_sql(
            f"select people, enrollments, {columns} from {by_vendor}"
            " where vendor = %s and workspace = %s",
            vendor.name, workspace,
        )  # fmt: skip
    empty = (0, 0, *(0 for _ in MEASURES[:-1]), None)
    return Funnel([tuple(r) for r in rows or []], tuple(total[0]) if total else empty, report.words)


TOTAL_LABEL = "total (people per sequence)"  # with the vendor's word for a sequence


def format_report(funnel: Funnel) -> str:
    """The funnel by sequence as a fixed-width terminal table (widths in terminal cells, so
    CJK and emoji names keep the columns straight), a total line, and the people and
    enrollments behind it: a person in two sequences counts in each. A count the vendor does
    not give is `n/a`, never 0."""
    sequence, enrollment = funnel.words
    total_label = TOTAL_LABEL.replace("sequence", sequence)
    names = [str(r[0] or f"(unknown {sequence})") for r in funnel.rows]
    width = min(max(cell_len(n) for n in [sequence, total_label, *names]), 44)
    widths = [max(9, len(h) + 1) for h in HEADER]

    def line(name: str, cells: list[str]) -> str:
        return fit_cell(name, width) + "".join(
            f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)
        )

    people, enrollments, *totals = funnel.total
    lines = [line(sequence, list(HEADER))]
    for name, (_, *counts, rate) in [
        *zip(names, funnel.rows, strict=True),
        (total_label, ("", *totals)),
    ]:
        lines.append(line(name, [number(c) for c in counts] + [percent(rate)]))
    lines.append(f"{count(int(people or 0), 'person', 'people')} and"
                 f" {count(int(enrollments or 0), enrollment)} in"
                 f" {count(len(funnel.rows), sequence)}")  # fmt: skip
    return "\n".join(lines)


def number(value: Any) -> str:
    return "n/a" if value is None else f"{int(value):,}"


def fit_cell(text: str, width: int) -> str:
    """`text` in exactly `width` terminal cells: cut with an ellipsis, or padded."""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def percent(value: Any) -> str:
    return "" if value is None else f"{float(value):.1f}"
