"""Running a source into a destination the way a scheduler needs: one run at a time per
pipeline, an interrupted load finished first, a summary filled as the run goes."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import dlt
import filelock
from dlt.common.pipeline import get_dlt_pipelines_dir
from dlt.common.runtime.collector import NULL_COLLECTOR

from pipelines import lake
from pipelines.destinations import file_format, location, resolve_destination
from pipelines.summary import RunSummary
from pipelines.turns import exclusive, one_writer
from sources.common.stats import RunStats

log = logging.getLogger(__name__)


# Arrow tables skip dlt's normaliser, which otherwise stamps every row with its load id: ask
# for it, so every table can be traced to its load. Set only while this project's loads run.
LOAD_CONFIG = {"normalize.parquet_normalizer.add_dlt_load_id": True}


class _JsonTextHints(logging.Filter):
    """dlt warns on every batch whose Arrow column types differ from their hints. Ours differ
    by design only where a new API field became JSON text with a `json` hint
    (sources.common.drift): a warning each run that asks nothing of the user. dlt still logs
    each difference at INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


@contextmanager
def load_config() -> Iterator[None]:
    """dlt settings this project's loads need, for the duration of one load only (a Dagster
    process or a notebook running other pipelines keeps its own configuration)."""
    dlt_log, expected = logging.getLogger("dlt"), _JsonTextHints()
    dlt_log.addFilter(expected)
    try:
        with dlt.config.values(LOAD_CONFIG):
            yield
    finally:
        dlt_log.removeFilter(expected)


def make_pipeline(
    pipeline_name: str,
    destination: Any,
    dataset_name: str,
    pipelines_dir: str | None,
) -> dlt.Pipeline:
    """The pipeline, made by one process at a time: dlt creates a new pipeline's folder refusing
    one that exists, so two processes making it at once (two builds of the funnel, two
    workspaces' runs started together) failed the second with FileExistsError."""
    root = Path(pipelines_dir or get_dlt_pipelines_dir())
    root.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(root / f"{pipeline_name}.create.lock"):
        return dlt.pipeline(
            pipeline_name=pipeline_name,
            destination=resolve_destination(destination)
            if isinstance(destination, str)
            else destination,
            dataset_name=dataset_name,
            pipelines_dir=pipelines_dir,
            progress=NULL_COLLECTOR,  # the CLI reports its own progress (pipelines.progress)
        )


def discard_unneeded(created: list[Path], pipeline: dlt.Pipeline | None, loaded: bool) -> None:
    """After a failed run, remove what it created (a pipeline directory, an empty DuckDB file)
    unless something needs them: a load it completed, or a package waiting to be loaded.
    Cheaper than checking the key and the API before every run, and it covers every failure."""
    pending = pipeline is not None and pipeline.has_pending_data
    if loaded or pending:
        return
    for path in created:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        for file in (path, path.with_name(path.name + ".wal")):
            if file.is_file():
                file.unlink()


def complete_pending(pipeline: dlt.Pipeline) -> int:
    """Load what an interrupted run extracted, and return how many packages that was.
    dlt's run() would do it too, but then stop without extracting anything new."""
    drop_deletion_remnants(pipeline)
    pending = [*pipeline.list_extracted_load_packages(), *pipeline.list_normalized_load_packages()]
    if not pending:
        return 0
    log.warning("completing %d load package(s) left by an interrupted run", len(pending))
    with load_config():
        if lake.is_lake(pipeline):  # its packages' rows made unique on their keys first
            pipeline.normalize()
            lake.unique_keys(pipeline)
            pipeline.load()
        else:
            pipeline.run(loader_file_format=file_format(pipeline))
    return len(pending)


def drop_deletion_remnants(pipeline: dlt.Pipeline) -> list[str]:
    """Remove what a kill left of an extracted package while dlt deleted it. dlt's normalize
    commits the normalized package (one rename), then deletes the extracted one folder by folder:
    killed in between, the same load id is both normalized (whole) and extracted (in part), and
    normalizing the part fails on a folder already gone (FileNotFoundError: .../new_jobs)."""
    whole = {*pipeline.list_normalized_load_packages(), *pipeline.list_completed_load_packages()}
    remnants = [p for p in pipeline.list_extracted_load_packages() if p in whole]
    extracted = pipeline._get_normalize_storage().extracted_packages  # no public way to delete
    for load_id in remnants:
        log.warning("removing what an interrupted run left of extracted package %s", load_id)
        extracted.delete_package(load_id)
    return remnants


def stored_rows(pipeline: dlt.Pipeline, tables: list[str]) -> dict[str, int]:
    """Rows each table holds now: a run writes every version of a row it reads (an embedded
    person once per enrollment), a merge keeps one. Not for files, where merges append."""
    if not tables or pipeline.destination.destination_name == "filesystem":
        return {}
    with pipeline.sql_client() as client:
        ds = client.fully_qualified_dataset_name()
        counts = {t: client.execute_sql(f"select count(*) from {ds}.{t}") for t in tables}
    return {t: int(rows[0][0]) for t, rows in counts.items() if rows}


def _run_once(
    pipeline: dlt.Pipeline, source: Any, refresh: Any
) -> tuple[list[str], dict[str, int]]:
    """One dlt run of `source`: its load ids and the rows it normalized per table."""
    if lake.is_lake(pipeline):
        return lake.run_once(pipeline, source, refresh)
    info = pipeline.run(source, loader_file_format=file_format(pipeline), refresh=refresh)
    trace = pipeline.last_trace
    normalized = trace.last_normalize_info if trace else None
    return list(info.loads_ids) if info else [], dict(normalized.row_counts) if normalized else {}


def run(
    pipeline: dlt.Pipeline,
    source: Any,
    *,
    full_refresh: bool,
    stats: RunStats,
    summary: RunSummary | None = None,
    wait: float = 0.0,
    turn_wait: float | None = None,
    again: Callable[[], Any] | None = None,
    say: Callable[[str], None] | None = None,
    then: Callable[[], None] | None = None,
) -> RunSummary:
    """Run `source` under the pipeline's lock and in the DuckDB file's turn (pipelines.turns:
    waiting for each up to `wait` seconds, for the file's turn `turn_wait` when given), after
    finishing any interrupted load; fills `summary` as it goes, so a failed run still reports
    its requests and duration. `stats` are the source instance's own (its `run_stats`).

    A resource that stops early to commit what it has (a backfill paced by a rate limit) says
    so in the stats (`RunStats.pending`): with `again` (a new instance of the source, on the
    same stats) the run loads those resources once more, each load committing its data and
    state, until none has more. `then` reads what was loaded before the lock is let go: on a
    DuckDB file, the next writer may hold it the moment after."""
    summary = summary or RunSummary(
        pipeline=pipeline.pipeline_name, dataset=pipeline.dataset_name,
        destination=pipeline.destination.destination_name,
    )  # fmt: skip
    summary.location = location(pipeline)
    started = time.perf_counter()
    try:
        turn = wait if turn_wait is None else turn_wait
        with exclusive(pipeline, wait), one_writer(pipeline, turn, say, summary.location, wait):
            summary.completed_pending_packages = complete_pending(pipeline)
            refresh: Literal["drop_sources"] | None = "drop_sources" if full_refresh else None
            stats.take_pending()
            while True:
                with load_config():
                    loads, rows = _run_once(pipeline, source, refresh)
                summary.load_ids += loads
                for table, n in rows.items():
                    if not table.startswith("_dlt"):
                        summary.rows[table] = summary.rows.get(table, 0) + n
                pending = stats.take_pending()
                if again is None or not pending:
                    break
                source, refresh = again().with_resources(*pending), None
            summary.stored = stored_rows(pipeline, list(summary.rows))
            if then is not None:
                then()
    finally:
        summary.seconds = round(time.perf_counter() - started, 3)
        summary.requests, summary.retries = stats.get("requests"), stats.get("retries")
    return summary
