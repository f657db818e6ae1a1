"""Funnel reporting: each vendor's views, created in the destination after each load through one
mechanism, and the terminal report.

A vendor supplies a `ReportViews`: view names and their SQL (with `{ds}` for the dataset), the
table each view needs, the query its report prints, and the query for the report's people and
enrollments (pipelines/reporting/<vendor>.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dlt
from rich.cells import cell_len, set_cell_size

from pipelines.english import count


@dataclass(frozen=True)
class ReportViews:
    views: Mapping[str, str]
    report_query: str  # rows of (name, counts..., a rate), as `header`
    totals_query: str  # one row: (distinct people, enrollments) over every sequence
    needs: Mapping[str, str] = field(default_factory=dict)  # view -> table it cannot do without
    base_table: str = "enrollments"  # what every other view needs
    # view -> (a table it uses when stored, the SQL to use instead when that table is not)
    fallbacks: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    words: tuple[str, str] = ("sequence", "enrollment")  # what the vendor calls them
    header: tuple[str, ...] = ()  # the report's columns (REPORT_HEADER unless given)
    rate: tuple[int, int] = (2, 1)  # the rate column: counts[numerator] / counts[denominator]


def create_views(pipeline: dlt.Pipeline, report: ReportViews) -> list[str]:
    """(Re)create the reporting views in the pipeline's dataset; returns their names. Views
    whose tables this dataset does not have (no enrollment steps loaded, say) are left out."""
    if pipeline.destination.destination_name == "filesystem":
        return []  # files, not a database: query them with DuckDB (README)
    created = []
    with pipeline.sql_client() as client:
        ds = client.fully_qualified_dataset_name()
        tables = _stored_tables(client)
        for name, sql in report.views.items():
            if report.needs.get(name, report.base_table) not in tables:
                continue
            optional, instead = report.fallbacks.get(name, (None, sql))
            if optional is not None and optional not in tables:
                sql = instead
            client.execute_sql(f"drop view if exists {ds}.{name} cascade")
            client.execute_sql(f"create view {ds}.{name} as {sql.format(ds=ds)}")
            created.append(name)
    return created


def _stored_tables(client: Any) -> set[str]:
    """The dataset's tables as the destination has them (a schema may name tables that no load
    has created yet, such as a resource's that yielded nothing)."""
    rows = client.execute_sql(
        "select table_name from information_schema.tables where table_schema = %s",
        client.dataset_name,
    )
    return {name for (name,) in rows or []}


@dataclass(frozen=True)
class Funnel:
    rows: list[tuple[Any, ...]]  # per sequence, as `header`
    people: int  # distinct people, whatever the sequence
    enrollments: int
    words: tuple[str, str] = ("sequence", "enrollment")  # the vendor's: campaign and lead
    header: tuple[str, ...] = ()  # REPORT_HEADER unless given
    rate: tuple[int, int] = (2, 1)  # as ReportViews.rate


def read_funnel(pipeline: dlt.Pipeline, report: ReportViews) -> Funnel:
    with pipeline.sql_client() as client:
        ds = client.fully_qualified_dataset_name()
        rows = [tuple(r) for r in client.execute_sql(report.report_query.format(ds=ds)) or []]
        totals = client.execute_sql(report.totals_query.format(ds=ds)) or [(0, 0)]
    people, enrollments = (int(v or 0) for v in totals[0])
    return Funnel(rows, people, enrollments, report.words, report.header, report.rate)


# The measures of every funnel view, over rows `f` of one person (lead) in one sequence
# (campaign) with 0/1 columns started, replied, positive, bounced, opted_out, canceled,
# finished. Counts are cast to bigint: DuckDB sums integers as HUGEINT, which pandas reads as
# float64.
MEASURES = """
       count(*) as enrolled, cast(sum(f.started) as bigint) as started,
       cast(sum(f.replied) as bigint) as replied,
       cast(sum(f.positive) as bigint) as positive_replies,
       cast(sum(f.bounced) as bigint) as bounced, cast(sum(f.opted_out) as bigint) as opted_out,
       cast(sum(f.canceled) as bigint) as canceled, cast(sum(f.finished) as bigint) as finished,
       round(100.0 * sum(f.replied) / nullif(sum(f.started), 0), 1) as reply_rate_pct,
       round(100.0 * sum(f.positive) / nullif(sum(f.started), 0), 1) as positive_rate_pct,
       round(100.0 * sum(f.bounced) / nullif(sum(f.started), 0), 1) as bounce_rate_pct
"""


REPORT_HEADER = ("sequence", "enrolled", "started", "replied", "positive", "bounced", "opt-out",
                 "canceled", "finished", "reply %")  # fmt: skip


TOTAL_LABEL = "total (people per sequence)"  # with the vendor's word for a sequence


def format_report(funnel: Funnel) -> str:
    """The funnel by sequence as a fixed-width terminal table (widths in terminal cells, so
    CJK and emoji names keep the columns straight), a total line, and the people and
    enrollments behind it: a person in two sequences counts in each."""
    sequence, enrollment = funnel.words
    header = funnel.header or REPORT_HEADER
    total_label = TOTAL_LABEL.replace("sequence", sequence)
    names = [str(r[0] or f"(unknown {sequence})") for r in funnel.rows]
    width = min(max(cell_len(n) for n in [sequence, total_label, *names]), 44)
    lines = [fit_cell(sequence, width) + "".join(f"{h:>10}" for h in header[1:])]
    for name, (_, *counts, rate) in zip(names, funnel.rows, strict=True):
        cells = "".join(f"{int(c or 0):>10,}" for c in counts)
        lines.append(f"{fit_cell(name, width)}{cells}{percent(rate):>10}")
    totals = [sum(int(r[k] or 0) for r in funnel.rows) for k in range(1, len(header) - 1)]
    numerator, denominator = (totals[k] for k in funnel.rate)
    rate = 100.0 * numerator / denominator if denominator else None
    cells = "".join(f"{t:>10,}" for t in totals)
    lines.append(f"{fit_cell(total_label, width)}{cells}{percent(rate):>10}")
    lines.append(f"{count(funnel.people, 'person', 'people')} and"
                 f" {count(funnel.enrollments, enrollment)} in"
                 f" {count(len(funnel.rows), sequence)}")  # fmt: skip
    return "\n".join(lines)


def fit_cell(text: str, width: int) -> str:
    """`text` in exactly `width` terminal cells: cut with an ellipsis, or padded."""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def percent(value: Any) -> str:
    return "" if value is None else f"{float(value):.1f}"
