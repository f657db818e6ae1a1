"""A vendor's tables: typed column contracts, keys, the dlt hints that carry them, and rows
collected per table from a batch of API objects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import dlt
import pyarrow as pa

from sources.common import arrow

# Column hints, by dlt's data types; every column may be null unless it is a key.
TS: dict[str, Any] = {"data_type": "timestamp", "timezone": True, "nullable": True}
TEXT: dict[str, Any] = {"data_type": "text", "nullable": True}
BOOL: dict[str, Any] = {"data_type": "bool", "nullable": True}
INT: dict[str, Any] = {"data_type": "bigint", "nullable": True}
JSON: dict[str, Any] = {"data_type": "json", "nullable": True}
DOUBLE: dict[str, Any] = {"data_type": "double", "nullable": True}
ID: dict[str, Any] = {"data_type": "text", "nullable": False}


def columns(**types: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A table's column contract, in the order given; each hint is copied."""
    return {name: dict(kind) for name, kind in types.items()}


class Tables:
    """Every table of one source, merged on its key (`id` unless `keys` says otherwise)."""

    def __init__(
        self,
        contracts: Mapping[str, Mapping[str, Mapping[str, Any]]],
        keys: Mapping[str, str | list[str]] | None = None,
    ) -> None:
        self.contracts = contracts
        self.keys = dict(keys or {})
        self._hints = {
            table: dlt.mark.make_hints(
                table_name=table, primary_key=self.key(table), write_disposition="merge",
                columns=dict(contract),  # type: ignore[arg-type]
            )
            for table, contract in contracts.items()
        }  # fmt: skip

    def key(self, table: str) -> str | list[str]:
        return self.keys.get(table, "id")

    def tagged(self, table: str, rows: Any) -> Any:
        """Rows or an Arrow table for dlt, routed to `table` with its contract and key."""
        return dlt.mark.with_hints(rows, self._hints[table], create_table_variant=True)

    def tagged_all(self, tables: Mapping[str, pa.Table]) -> Iterator[Any]:
        """Each table of a normalised batch, tagged for dlt."""
        for table, arrow_table in tables.items():
            yield self.tagged(table, arrow_table)

    def arrow(self, table: str, rows: list[dict[str, Any]]) -> pa.Table:
        return arrow.table(self.contracts[table], rows)


class RowsByTable:
    """Rows per table from a batch of API objects; `add` keeps one row per key (embedded
    objects repeat across a page), `append` keeps every row (versions of one record)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[Any, dict[str, Any]]] = {}
        self.lists: dict[str, list[dict[str, Any]]] = {}

    def add(self, table: str, row: dict[str, Any], key: str = "id") -> None:
        self.rows.setdefault(table, {})[row[key]] = row

    def append(self, table: str, row: dict[str, Any]) -> None:
        self.lists.setdefault(table, []).append(row)

    def arrow(self, tables: Tables) -> dict[str, pa.Table]:
        out = {
            name: tables.arrow(name, list(by_key.values())) for name, by_key in self.rows.items()
        }
        out |= {name: tables.arrow(name, rows) for name, rows in self.lists.items() if rows}
        return out
