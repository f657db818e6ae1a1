"""Funnel reporting: each vendor's views, created in the destination after each load through one
mechanism, and the terminal report.

A vendor supplies a `ReportViews`: view names and their SQL (with `{ds}` for the dataset), the
table each view needs, and the query its report prints (pipelines/reporting/<vendor>.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dlt


@dataclass(frozen=True)
class ReportViews:
    views: Mapping[str, str]
    report_query: str  # rows of (name, 8 counts, a rate), as REPORT_HEADER
    needs: Mapping[str, str] = field(default_factory=dict)  # view -> table it cannot do without
    base_table: str = "enrollments"  # what every other view needs


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


def funnel_rows(pipeline: dlt.Pipeline, report: ReportViews) -> list[tuple[Any, ...]]:
    with pipeline.sql_client() as client:
        ds = client.fully_qualified_dataset_name()
        return [tuple(row) for row in client.execute_sql(report.report_query.format(ds=ds)) or []]


REPORT_HEADER = ("sequence", "enrolled", "started", "replied", "positive", "bounced", "opt-out",
                 "canceled", "finished", "reply %")  # fmt: skip


def format_report(rows: list[tuple[Any, ...]]) -> str:
    """The funnel by sequence as a fixed-width terminal table, with a total line."""
    width = max([len(REPORT_HEADER[0]), *(len(str(r[0] or "")) for r in rows)])
    width = min(width, 44)
    lines = [f"{REPORT_HEADER[0]:<{width}}" + "".join(f"{h:>10}" for h in REPORT_HEADER[1:])]
    for name, *counts, rate in rows:
        label = str(name or "(unknown sequence)")
        label = label if len(label) <= width else label[: width - 1] + "…"
        cells = "".join(f"{int(c or 0):>10,}" for c in counts)
        lines.append(f"{label:<{width}}{cells}{_pct(rate):>10}")
    totals = [sum(int(r[k] or 0) for r in rows) for k in range(1, 9)]
    rate = 100.0 * totals[2] / totals[1] if totals[1] else None
    lines.append(f"{'total':<{width}}" + "".join(f"{t:>10,}" for t in totals) + f"{_pct(rate):>10}")
    return "\n".join(lines)


def _pct(value: Any) -> str:
    return "" if value is None else f"{float(value):.1f}"
