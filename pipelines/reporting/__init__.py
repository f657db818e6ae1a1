"""Each vendor's terminal report, read from its report views.

The views are dbt models (dbt/models/reporting/<vendor>/), built into the vendor's dataset with
the funnel's marts after a load (pipelines.funnel): one way to define a model. A vendor supplies
a `VendorReport`: the query its report prints and the one for its people and enrollments
(pipelines/reporting/<vendor>.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dlt
from rich.cells import cell_len, set_cell_size

from pipelines.english import count


@dataclass(frozen=True)
class VendorReport:
    report_query: str  # rows of (name, counts..., a rate), as `header`; {ds}: the dataset
    totals_query: str  # one row: (distinct people, enrollments) over every sequence
    base_table: str = "enrollments"  # loaded: the vendor's report views are built
    words: tuple[str, str] = ("sequence", "enrollment")  # what the vendor calls them
    header: tuple[str, ...] = ()  # the report's columns (REPORT_HEADER unless given)
    rate: tuple[int, int] = (2, 1)  # the rate column: counts[numerator] / counts[denominator]
    messages: tuple[str, ...] = ()  # columns that count the vendor's messages, not people


@dataclass(frozen=True)
class Funnel:
    rows: list[tuple[Any, ...]]  # per sequence, as `header`
    people: int  # distinct people, whatever the sequence
    enrollments: int
    words: tuple[str, str] = ("sequence", "enrollment")  # the vendor's: campaign and lead
    header: tuple[str, ...] = ()  # REPORT_HEADER unless given
    rate: tuple[int, int] = (2, 1)  # as VendorReport.rate
    messages: tuple[str, ...] = ()  # as VendorReport.messages


def read_funnel(pipeline: dlt.Pipeline, report: VendorReport) -> Funnel:
    with pipeline.sql_client() as client:
        ds = client.fully_qualified_dataset_name()
        rows = [tuple(r) for r in client.execute_sql(report.report_query.format(ds=ds)) or []]
        totals = client.execute_sql(report.totals_query.format(ds=ds)) or [(0, 0)]
    people, enrollments = (int(v or 0) for v in totals[0])
    return Funnel(
        rows, people, enrollments, report.words, report.header, report.rate, report.messages
    )


REPORT_HEADER = ("sequence", "enrolled", "started", "replied", "positive", "bounced", "opt-out",
                 "canceled", "finished", "reply %")  # fmt: skip


TOTAL_LABEL = "total (people per sequence)"  # with the vendor's word for a sequence


def format_report(funnel: Funnel) -> str:
    """The funnel by sequence as a fixed-width terminal table (widths in terminal cells, so
    CJK and emoji names keep the columns straight), a total line, and the people and
    enrollments behind it: a person in two sequences counts in each. A count the vendor does
    not give is `n/a`, never 0; a count of messages (`messages`) is marked and left out of the
    total of people."""
    sequence, enrollment = funnel.words
    header = funnel.header or REPORT_HEADER
    total_label = TOTAL_LABEL.replace("sequence", sequence)
    names = [str(r[0] or f"(unknown {sequence})") for r in funnel.rows]
    width = min(max(cell_len(n) for n in [sequence, total_label, *names]), 44)
    titles = [f"{h}*" if h in funnel.messages else h for h in header[1:-1]]
    widths = [max(10, len(t) + 1) for t in titles]
    heads = "".join(f"{t:>{w}}" for t, w in zip(titles, widths, strict=True))
    lines = [f"{fit_cell(sequence, width)}{heads}{header[-1]:>10}"]
    for name, (_, *counts, rate) in zip(names, funnel.rows, strict=True):
        cells = "".join(f"{number(c):>{w}}" for c, w in zip(counts, widths, strict=True))
        lines.append(f"{fit_cell(name, width)}{cells}{percent(rate):>10}")
    totals = [_total(funnel.rows, k, header[k] in funnel.messages)
              for k in range(1, len(header) - 1)]  # fmt: skip
    numerator, denominator = (totals[k] for k in funnel.rate)
    rate = 100.0 * numerator / denominator if numerator is not None and denominator else None
    shown = ("" if t is None else number(t) for t in totals)
    cells = "".join(f"{t:>{w}}" for t, w in zip(shown, widths, strict=True))
    lines.append(f"{fit_cell(total_label, width)}{cells}{percent(rate):>10}")
    if funnel.messages:
        lines.append(f"* {', '.join(funnel.messages)}: the vendor's own counts of messages, not"
                     " people (not in the total)")  # fmt: skip
    lines.append(f"{count(funnel.people, 'person', 'people')} and"
                 f" {count(funnel.enrollments, enrollment)} in"
                 f" {count(len(funnel.rows), sequence)}")  # fmt: skip
    return "\n".join(lines)


def _total(rows: list[tuple[Any, ...]], k: int, messages: bool) -> int | None:
    """The people of column `k` over every sequence; None for messages, or where no sequence
    has the count."""
    known = [int(r[k]) for r in rows if r[k] is not None]
    return None if messages or not known else sum(known)


def number(value: Any) -> str:
    return "n/a" if value is None else f"{int(value):,}"


def fit_cell(text: str, width: int) -> str:
    """`text` in exactly `width` terminal cells: cut with an ellipsis, or padded."""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def percent(value: Any) -> str:
    return "" if value is None else f"{float(value):.1f}"
