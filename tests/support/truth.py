"""Loaded tables against a world's, for every vendor's truth module."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.warehouses import DuckDBWarehouse


def assert_tables_match(
    loaded: Mapping[str, list[tuple]],
    expected: Mapping[str, set[tuple]],
    key_width: Mapping[str, int] | None = None,
) -> None:
    """Every expected table exactly as loaded: no duplicate row or key (the first
    `key_width[table]` columns, 1 unless given), nothing missing, nothing extra."""
    for table, wanted in expected.items():
        rows = loaded[table]
        assert len(rows) == len(set(rows)), f"{table}: duplicate rows"
        width = (key_width or {}).get(table, 1)
        keys = [r[:width] for r in rows]
        assert len(keys) == len(set(keys)), f"{table}: duplicate keys"
        missing, extra = wanted - set(rows), set(rows) - wanted
        assert not missing and not extra, (
            f"{table}: {len(missing)} missing, {len(extra)} unexpected;"
            f" e.g. missing {sorted(missing, key=str)[:2]} extra {sorted(extra, key=str)[:2]}"
        )


def in_dataset(queries: Mapping[str, str], vendor: str, dataset: str) -> dict[str, str]:
    """A vendor's truth queries (`... from <vendor>.<table>`) read from another of its
    datasets: a workspace's (`<vendor>_<name>`)."""
    return {t: q.replace(f" from {vendor}.", f" from {dataset}.") for t, q in queries.items()}


def loaded_tables(warehouse: Any, queries: Mapping[str, str]) -> dict[str, list[tuple]]:
    """Each query's rows (a table's columns to compare), in a stable order; `warehouse` is a
    test warehouse or a DuckDB file's path."""
    if isinstance(warehouse, str | Path):
        warehouse = DuckDBWarehouse(Path(warehouse))
    return {table: sorted(warehouse.rows(q), key=str) for table, q in queries.items()}
