"""The lake: `--destination filesystem` writes Delta tables (dlt's `table_format="delta"`,
delta-rs) on a folder or a bucket, merged on their keys, so that the engines that read Delta
(Spark, Trino, DuckDB's delta extension, Polars, delta-rs itself) see one row per record, not a
log of versions to dedupe.

dlt merges into Delta with its `upsert` strategy, which assumes a load's rows unique on the
key (its maintainers' word, dlt-hub/dlt#2202): delta-rs then inserts every copy of a key it has
not stored yet. A run writes a record as often as it reads it (an embedded person once per
enrollment), so before each package is loaded its rows are made unique here: per table and key,
the last row in the order the run wrote them, as a SQL destination's merge keeps one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

TABLE_FORMAT: Literal["delta"] = "delta"
ORDER = "__sequence_funnel_row"  # a column of the dedupe's own, never written


def is_lake(pipeline: dlt.Pipeline) -> bool:
    return bool(pipeline.destination.destination_name == "filesystem")


def run_once(pipeline: dlt.Pipeline, source: Any, refresh: Any) -> tuple[list[str], dict[str, int]]:
    """Extract, normalize, make each package's rows unique on their keys, load: the load ids and
    the rows per table. dlt's `run` would load the package as normalized."""
    pipeline.sync_destination()  # a state the folder lost comes back from the lake, as run() does
    pipeline.extract(source, refresh=refresh, table_format=TABLE_FORMAT,
                     loader_file_format="parquet")  # fmt: skip
    normalized = pipeline.normalize()
    unique_keys(pipeline)
    loaded = pipeline.load()
    return list(loaded.loads_ids), dict(normalized.row_counts)


def unique_keys(pipeline: dlt.Pipeline) -> int:
    """Every normalized package's merge tables made unique on their keys (the last row of each
    key wins); returns the rows left out."""
    tables: Mapping[str, Any] = (
        pipeline.default_schema.tables if pipeline.default_schema_name else {}
    )
    dropped = 0
    for load_id in pipeline.list_normalized_load_packages():
        files: dict[str, list[str]] = {}
        for job in pipeline.get_load_package_info(load_id).jobs["new_jobs"]:
            if job.file_path.endswith(".parquet"):
                files.setdefault(job.job_file_info.table_name, []).append(job.file_path)
        for table, paths in files.items():
            keys = _merge_keys(tables.get(table, {}))
            if keys:
                dropped += _keep_last(sorted(paths), keys)
    return dropped


def _merge_keys(table: Mapping[str, Any]) -> list[str]:
    if table.get("write_disposition") != "merge":
        return []
    return [name for name, column in table.get("columns", {}).items() if column.get("primary_key")]


def _keep_last(paths: list[str], keys: list[str]) -> int:
    """The rows of `paths` (one table's files of one package, in the order written) unique on
    `keys`, the last of each kept: written to the first file, the others left empty."""
    parts = [pq.read_table(path) for path in paths]
    whole = pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]
    numbered = whole.append_column(ORDER, pa.array(range(whole.num_rows), pa.int64()))
    last = numbered.group_by(keys, use_threads=False).aggregate([(ORDER, "max")])
    kept = pc.sort_indices(last[f"{ORDER}_max"])
    chosen = pc.take(last[f"{ORDER}_max"], kept)
    if len(chosen) == whole.num_rows:
        return 0
    pq.write_table(whole.take(chosen), paths[0])
    for path in paths[1:]:
        pq.write_table(whole.schema.empty_table(), path)
    return whole.num_rows - len(chosen)
