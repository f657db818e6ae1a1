"""What the destination already holds of a table, read during extraction through the
pipeline's own SQL client (DuckDB, PostgreSQL, and files through DuckDB).

For an API with no updated-since filter (Instantly's leads), the only way to load just what
changed is to compare a full read with what was loaded. The destination is the reference: it
is exactly what was loaded (never ahead of it, as state could be), it survives a fresh runner,
and dropping the table makes the next run load everything again. dlt's `dataset()` access
would do, but fails on this dlt and sqlglot (`qualify() got an unexpected keyword argument
'infer_schema'`); the SQL client is what dlt's own merge uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import dlt

from sources.common.instants import parse_instant
from sources.common.notices import notices
from sources.common.state import due, mark_done
from sources.common.stats import RunStats

log = notices("destination")
FETCH_ROWS = 50_000


def latest_values(table: str, key: str, cursor: str) -> dict[str, datetime] | None:
    """Each loaded key's newest `cursor` value (an instant), or None when the table is not
    loaded yet or cannot be read (then everything is loaded again, which is exact, only
    slower: said in a warning)."""
    schema = dlt.current.source_schema()
    columns = schema.tables.get(table, {}).get("columns", {})
    if key not in columns or cursor not in columns:
        return None
    try:
        pipeline = dlt.current.pipeline()
        if _is_lake(pipeline):
            read = _lake(pipeline, table, [key, cursor])
            newest = read.group_by(key).aggregate([(cursor, "max")])
            ids, stamps = newest[key].to_pylist(), newest[f"{cursor}_max"].to_pylist()
            return dict(zip(ids, stamps, strict=True))
        with pipeline.sql_client() as client:
            name = client.make_qualified_table_name(table)
            k, c = client.escape_column_name(key), client.escape_column_name(cursor)
            query = f"SELECT {k}, MAX({c}) FROM {name} GROUP BY {k}"  # files may hold versions
            values: dict[str, datetime] = {}
            with client.execute_query(query) as rows:
                while batch := rows.fetchmany(FETCH_ROWS):
                    values.update(batch)
            return values
    except Exception as exc:
        log.warning("could not read %s from the destination (%s): loading every row", table, exc)
        return None


def _is_lake(pipeline: dlt.Pipeline) -> bool:
    return bool(pipeline.destination.destination_name == "filesystem")


def _lake(pipeline: dlt.Pipeline, table: str, columns: list[str]) -> Any:
    """`columns` of `table` in the lake (Delta tables, pipelines.lake), read with delta-rs: dlt's
    SQL client reads Delta through DuckDB's delta extension, which it downloads, and a load must
    not need the internet beyond the vendor's API."""
    from dlt.common.libs.deltalake import get_delta_tables

    return get_delta_tables(pipeline, table)[table].to_pyarrow_table(columns=columns)


def changed(before: Mapping[str, datetime], key: str, stamp: str | None) -> bool:
    """Whether a record read now needs loading: its key is not loaded, its change stamp
    differs from the loaded one, or it has no stamp to compare."""
    return stamp is None or before.get(key) != parse_instant(stamp)


@dataclass(frozen=True)
class FullRead:
    """A listing with no updated-since filter, read whole when due and compared with what is
    loaded: only the records whose change stamp differs from the destination's are loaded."""

    table: str  # merged on `id`
    stamp_column: str  # the change stamp, as loaded
    stamp: Callable[[dict[str, Any]], str | None]  # the change stamp, of a record as answered
    listed: str  # the resource state's key: when the last complete read was done

    def read(
        self, run: Any, refresh: timedelta,
        pages: Callable[[Any], Iterable[list[dict[str, Any]]]],
        table_of: Callable[[list[dict[str, Any]], Any], Any], batch_rows: int,
        gone: Callable[[set[str], set[str]], Iterator[Any]] | None = None,
    ) -> Iterator[Any]:  # fmt: skip
        """When due (`refresh` since the last complete read): every page of `pages(client)`
        (`run.client()`), its changed records made tables by `table_of(batch, known types)` in
        batches of about `batch_rows`. After a complete read, `gone(loaded ids, seen ids)`
        yields what the listing no longer has; only then is the read marked done."""
        state = dlt.current.resource_state()
        if not due(state, self.listed, refresh):
            return
        before = latest_values(self.table, "id", self.stamp_column) or {}
        seen: set[str] | None = set() if gone is not None else None  # ids: only when asked
        known = run.known_types()
        with run.client() as client:
            for batch in _changed_batches(pages(client), before, self.stamp, batch_rows,
                                          run.stats, seen):  # fmt: skip
                yield table_of(batch, known)
        if gone is not None and seen is not None:
            yield from gone(set(before), seen)
        mark_done(state, self.listed)


def _changed_batches(
    pages: Iterable[list[dict[str, Any]]],
    before: Mapping[str, datetime],
    stamp: Callable[[dict[str, Any]], str | None],
    batch_rows: int,
    stats: RunStats,
    seen: set[str] | None,
) -> Iterator[list[dict[str, Any]]]:
    """The records of `pages` that `changed` (by `id` and their change `stamp`), in batches of
    about `batch_rows`; every record read is counted in `stats`, and its id added to `seen`
    (what a complete read says is still there)."""
    batch: list[dict[str, Any]] = []
    for page in pages:
        stats.add("rows", len(page))
        if seen is not None:
            seen.update(record["id"] for record in page)
        batch += [record for record in page if changed(before, record["id"], stamp(record))]
        if len(batch) >= batch_rows:
            yield batch
            batch = []
    if batch:
        yield batch


def keys(table: str, key: str) -> set[str] | None:
    """Every key `table` holds, or None when it is not loaded yet or cannot be read."""
    schema = dlt.current.source_schema()
    if key not in schema.tables.get(table, {}).get("columns", {}):
        return None
    try:
        pipeline = dlt.current.pipeline()
        if _is_lake(pipeline):
            return set(_lake(pipeline, table, [key])[key].unique().to_pylist())
        with pipeline.sql_client() as client:
            name = client.make_qualified_table_name(table)
            column = client.escape_column_name(key)
            found: set[str] = set()
            with client.execute_query(f"SELECT DISTINCT {column} FROM {name}") as rows:
                while batch := rows.fetchmany(FETCH_ROWS):
                    found.update(row[0] for row in batch)
            return found
    except Exception as exc:
        log.warning("could not read %s from the destination (%s)", table, exc)
        return None
