"""A vendor's tables: typed column contracts, keys, the dlt hints that carry them, and rows
collected per table from a batch of API objects."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.normalizers.naming.snake_case import NamingConvention
from dlt.common.schema import Schema

from sources.common import arrow, drift, nul

# Per table, what the destination's schema knows of a column's type (see sources.common.drift).
KnownTypes = Callable[[str], drift.KnownType]

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
        self._hints = {table: self._make_hints(table, {}) for table in contracts}

    def _make_hints(self, table: str, json_columns: Mapping[str, Any]) -> Any:
        """dlt's hints for `table`. dlt's merge keeps one staged row per key with a window
        ordered by the column hinted `dedup_sort`, and without one by `(SELECT NULL)`, which
        DuckDB runs 18 times slower (70,000 Instantly emails: 2.1 s against 0.12 s, measured).
        A table whose contract names no version column to keep the newest by gets the key's
        first column: which of two staged versions of a key is kept is then as unspecified as
        before, and as fast as with a version."""
        columns: dict[str, Any] = {**self.contracts[table], **json_columns}
        if not any("dedup_sort" in hint for hint in columns.values()):
            key = self.key(table)
            first = key if isinstance(key, str) else key[0]
            columns[first] = {**columns.get(first, ID), "dedup_sort": "desc"}
        return dlt.mark.make_hints(
            table_name=table, primary_key=self.key(table), write_disposition="merge",
            columns=columns,
        )  # fmt: skip

    def key(self, table: str) -> str | list[str]:
        return self.keys.get(table, "id")

    def tagged(self, table: str, rows: Any) -> Any:
        """Rows or an Arrow table for dlt, routed to `table` with its contract and key (and a
        `json` hint for each JSON column a new field became); no NUL in its text
        (sources.common.nul)."""
        hints = self._hints[table]
        if isinstance(rows, list):
            rows = [nul.value(r) for r in rows]
        if isinstance(rows, pa.Table):
            rows = nul.table(rows)
            json_columns = {
                f.name: dict(JSON) for f in rows.schema if f.metadata == drift.JSON_FIELD
            }
            if json_columns:
                hints = self._make_hints(table, json_columns)
        return dlt.mark.with_hints(rows, hints, create_table_variant=True)

    def tagged_all(self, tables: Mapping[str, pa.Table]) -> Iterator[Any]:
        """Each table of a normalised batch, tagged for dlt."""
        for table, arrow_table in tables.items():
            yield self.tagged(table, arrow_table)

    def arrow(
        self, table: str, rows: list[dict[str, Any]], known: drift.KnownType = drift.nothing_known
    ) -> pa.Table:
        return arrow.table(self.contracts[table], rows, known)

    def typed(self, table: str, columns: Mapping[str, pa.Array | pa.ChunkedArray]) -> pa.Table:
        """Columns taken apart from a page read by Arrow, as `arrow` gives rows."""
        return arrow.typed(self.contracts[table], columns)


class Batched:
    """Arrow tables of one table gathered into batches of at least `rows` rows before dlt sees
    them: dlt computes and validates a table's schema for every item it is given, about 6 ms
    each (measured: 4 s of a 20,000-lead Instantly backfill, 17 % of its run, when each page of
    100 emails was an item). Tables whose schemas differ (a new field became JSON text) are
    never joined: the batch held is given first. What is held is given by `flush`, which the
    resource calls before it ends, so the rows are in the same load as the state it commits."""

    def __init__(self, tables: Tables, table: str, rows: int) -> None:
        self._tables, self._table, self._rows = tables, table, rows
        self._held: list[pa.Table] = []
        self._count = 0

    def add(self, arrow_table: pa.Table) -> Iterator[Any]:
        if self._held and not self._held[0].schema.equals(arrow_table.schema, check_metadata=True):
            yield from self.flush()
        self._held.append(arrow_table)
        self._count += arrow_table.num_rows
        if self._count >= self._rows:
            yield from self.flush()

    def known_types(self, known: KnownTypes) -> KnownTypes:
        """`known`, and for this table the types of the rows held: the type an earlier page of
        this run gave a new field, which dlt would know had it been given that page already (a
        value that does not fit it then goes to a variant column, sources.common.drift)."""

        def of_table(table: str) -> drift.KnownType:
            outer = known(table)
            if table != self._table:
                return outer

            def type_of(column: str) -> str | None:
                held = self._held[0].schema if self._held else None
                return outer(column) or (drift.built_type(held, column) if held else None)

            return type_of

        return of_table

    def flush(self) -> Iterator[Any]:
        if not self._held:
            return
        joined = self._held[0] if len(self._held) == 1 else pa.concat_tables(self._held)
        self._held, self._count = [], 0
        yield self._tables.tagged(self._table, joined)


def snake_cased(objects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """API objects with their fields under dlt's snake_case names (`effectiveStatus` →
    `effective_status`), the names a camelCase API's table contracts use."""
    given = list(objects)
    name = NamingConvention().normalize_identifier
    # each distinct field named once: dlt's call costs some 4 us, a third of a Sequenzy
    # backfill's extraction when it was made for every field of every event
    names = {k: name(k) for k in {k for obj in given for k in obj}}
    return [{names[k]: v for k, v in obj.items()} for obj in given]


def no_schema(table: str) -> drift.KnownType:
    """KnownTypes for a source with no dlt schema yet (pure use, tests): nothing is known."""
    return drift.nothing_known


def schema_types(schema: Schema) -> KnownTypes:
    """What a source's dlt schema knows of each table's columns: the types new fields got in
    earlier loads, and on earlier pages of this run (dlt adds them as it extracts)."""

    def of_table(table: str) -> drift.KnownType:
        columns = schema.tables.get(table, {}).get("columns", {})

        def known(column: str) -> str | None:
            return columns.get(schema.naming.normalize_identifier(column), {}).get("data_type")

        return known

    return of_table


class RowsByTable:
    """Rows per table from a batch of API objects; `add` keeps one row per key (embedded
    objects repeat across a page), `append` keeps every row (versions of one record)."""

    def __init__(self, known: KnownTypes = no_schema) -> None:
        self.rows: dict[str, dict[Any, dict[str, Any]]] = {}
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self.known = known

    def add(self, table: str, row: dict[str, Any], key: str = "id") -> None:
        self.rows.setdefault(table, {})[row[key]] = row

    def append(self, table: str, row: dict[str, Any]) -> None:
        self.lists.setdefault(table, []).append(row)

    def arrow(self, tables: Tables) -> dict[str, pa.Table]:
        out = {
            name: tables.arrow(name, list(by_key.values()), self.known(name))
            for name, by_key in self.rows.items()
        }
        out |= {
            name: tables.arrow(name, rows, self.known(name))
            for name, rows in self.lists.items()
            if rows
        }
        return out
