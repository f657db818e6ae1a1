"""The intake loaded in micro-batches through dlt into `<vendor>.webhook_events`, merged on
`event_key`: an event loaded twice (a crash between a load and its mark) is one row.

A batch is marked loaded only after dlt committed it; the next batch starts after the last
row marked. On DuckDB a batch takes its turn on the file like any run of ours
(pipelines.turns), waiting for a load in progress: the deliveries wait on disk meanwhile.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dlt
from dlt.common.schema.typing import TTableSchemaColumns

from pipelines import funnel, runner, turns
from pipelines.destinations import location
from pipelines.listen.intake import connect
from pipelines.listen.rows import event_row
from sources.common.vendors import specs
from sources.common.webhooks import Webhooks

BATCH_ROWS = 5_000
COLUMNS: TTableSchemaColumns = {
    "event_key": {"data_type": "text", "nullable": False, "primary_key": True},
    "event_type": {"data_type": "text"},
    "occurred_at": {"data_type": "timestamp"},
    "received_at": {"data_type": "timestamp"},
    "email": {"data_type": "text"},
    "sequence_id": {"data_type": "text"},
    "subscriber_id": {"data_type": "text"},
    "payload": {"data_type": "json"},
}


def pending(db: sqlite3.Connection, limit: int = BATCH_ROWS) -> list[tuple[Any, ...]]:
    return db.execute("select seq, vendor, event_key, event_type, received_at, body from events"
                      " where loaded = 0 order by seq limit ?", (limit,)).fetchall()  # fmt: skip


def load_batch(db: sqlite3.Connection, hooks: Mapping[str, Webhooks], destination: str,
               pipelines_dir: str | None, models_read: set[str], wait: float = 600.0
               ) -> int:  # fmt: skip
    """Load what is pending, per vendor (`hooks`: each vendor's webhooks), and mark it loaded;
    returns the rows loaded.

    The funnel's models are views: once built over `webhook_events` they show each new row as
    it lands. So after the first batch of a vendor (`models_read` keeps which), the models are
    built (pipelines.funnel.build: only those reading what changed, nothing when nothing did),
    unless FUNNEL__BUILD=false."""
    batch = pending(db)
    by_vendor: dict[str, list[dict[str, Any]]] = {}
    for _, vendor, key, kind, received, body in batch:
        row = event_row(hooks[vendor], key, kind, received, body)
        by_vendor.setdefault(vendor, []).append(row)
    for vendor, rows in by_vendor.items():
        pipeline = runner.make_pipeline(f"{vendor}_webhooks", destination, vendor, pipelines_dir)
        resource = dlt.resource(rows, name="webhook_events", write_disposition="merge",
                                primary_key="event_key", columns=COLUMNS)  # fmt: skip
        with (
            turns.exclusive(pipeline, wait),
            turns.one_writer(pipeline, wait, where=location(pipeline)),
        ):
            runner.complete_pending(pipeline)
            with runner.load_config():
                pipeline.run(resource)
    if batch:
        db.execute("update events set loaded = 1 where loaded = 0 and seq <= ?", (batch[-1][0],))
    unread = set(by_vendor) - models_read
    if unread and funnel.enabled():
        funnel.build(destination, pipelines_dir=pipelines_dir,
                     datasets={vendor: [vendor] for vendor in unread}, wait=wait)  # fmt: skip
    models_read |= unread
    return len(batch)


class BatchLoader:
    """A thread loading the intake every `every` seconds while the listener runs."""

    def __init__(self, path: Path, destination: str, pipelines_dir: str | None, every: float,
                 say: Callable[[str], None]) -> None:  # fmt: skip
        self._path, self._destination, self._dir = path, destination, pipelines_dir
        self._every, self._say = every, say
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="batches", daemon=True)

    def __enter__(self) -> BatchLoader:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        """A batch starts every `every` seconds, or as soon as the one before ended when that
        took longer: what waits is loaded at once, not a whole interval after."""
        db = connect(self._path)
        hooks = {name: s.webhooks for name, s in specs().items() if s.webhooks is not None}
        models_read: set[str] = set()
        try:
            due = time.monotonic() + self._every
            while not self._stop.wait(max(0.0, due - time.monotonic())):
                due = time.monotonic() + self._every
                try:
                    before = set(models_read)
                    load_batch(db, hooks, self._destination, self._dir, models_read)
                    for vendor in sorted(models_read - before):
                        self._say(f"the funnel's models read {vendor}.webhook_events")
                except Exception as exc:  # the next batch tries again; nothing is lost
                    self._say(f"warning: webhook events not loaded yet: {exc}")
            load_batch(db, hooks, self._destination, self._dir, models_read)  # the last
        finally:
            db.close()
