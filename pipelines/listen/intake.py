"""The listener's durable intake: every delivery accepted is on disk before it is answered 2xx.

One SQLite file (WAL, `synchronous=FULL`: a commit is on disk, through a kill -9 or a power
cut). Requests hand their rows to one writer thread, which commits whatever has queued up in
one transaction (a group commit) and only then lets each request answer: at hundreds of
deliveries a second the disk sees a few commits a second, not one per delivery.

- An event is stored once per (vendor, key): Sequenzy's event `id`, or Instantly's composite
  key (sources/<vendor>/webhooks.py). A delivery of an event already stored is answered 2xx (the
  vendor must stop retrying it) and counted as a duplicate.
- A delivery whose signature was seen before (within twice the tolerance) is a replay: a vendor
  signs each attempt anew, with its time, so a copy repeats one. It is refused (409) and
  counted. A vendor's own duplicate sent in the same second as its twin is one too: refused
  once, it is retried, signed anew, and answered 2xx as a duplicate. Nothing is lost.
- The counts of what came in (stored, duplicate, and each refusal) are kept beside the events.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
create table if not exists events (
    seq integer primary key autoincrement,
    vendor text not null, event_key text not null, event_type text,
    received_at real not null, body blob not null, loaded integer not null default 0,
    unique (vendor, event_key)
);
create table if not exists signatures (signature text primary key, seen_at real not null);
create table if not exists counts (
    vendor text not null, outcome text not null, n integer not null,
    primary key (vendor, outcome)
);
"""
STORED, DUPLICATE, REPLAY = "stored", "duplicate", "replay"
BATCH = 1_000  # rows one commit takes at most


@dataclass(frozen=True)
class Delivery:
    vendor: str
    key: str
    event_type: str | None
    body: bytes
    signature: str | None  # None for a vendor that signs nothing


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("pragma journal_mode=wal")
    db.execute("pragma synchronous=full")
    db.execute("pragma busy_timeout=10000")
    db.executescript(SCHEMA)
    return db


class Intake:
    """The writer thread and its queue; `with Intake.open(path) as intake: ...`."""

    def __init__(self, db: sqlite3.Connection, replay_window: float) -> None:
        self._db = db
        self._window = replay_window
        self._queue: queue.Queue[tuple[Any, Future[str]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._write, name="intake", daemon=True)
        self._thread.start()

    @classmethod
    @contextmanager
    def open(cls, path: Path, replay_window: float = 600.0) -> Iterator[Intake]:
        intake = cls(connect(path), replay_window)
        try:
            yield intake
        finally:
            intake._queue.put(None)
            intake._thread.join()
            intake._db.close()

    async def store(self, delivery: Delivery) -> str:
        """`stored`, `duplicate` or `replay`, once the outcome is committed."""
        return await self._submit(delivery)

    def store_now(self, delivery: Delivery) -> str:
        """`store`, from a thread that is no event loop's (healing from a vendor's log)."""
        done: Future[str] = Future()
        self._queue.put((delivery, done))
        return done.result()

    async def refused(self, vendor: str, reason: str) -> None:
        await self._submit((vendor, reason))

    async def _submit(self, item: Any) -> str:
        done: Future[str] = Future()
        self._queue.put((item, done))
        return await asyncio.wrap_future(done)

    def _write(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(item)
            try:
                outcomes = self._commit([item for item, _ in batch])
            except Exception as exc:  # the disk refused: every request of the batch fails
                for _, done in batch:
                    done.set_exception(exc)
                continue
            for (_, done), outcome in zip(batch, outcomes, strict=True):
                done.set_result(outcome)

    def _commit(self, items: list[Any]) -> list[str]:
        db, now, outcomes = self._db, time.time(), []
        counted: dict[tuple[str, str], int] = {}
        db.execute("begin immediate")
        try:
            for item in items:
                if isinstance(item, Delivery):
                    outcome = self._one(db, item, now)
                    vendor = item.vendor
                else:
                    vendor, outcome = item
                counted[(vendor, outcome)] = counted.get((vendor, outcome), 0) + 1
                outcomes.append(outcome)
            db.executemany(
                "insert into counts values (?, ?, ?) on conflict (vendor, outcome)"
                " do update set n = n + excluded.n",
                [(v, o, n) for (v, o), n in counted.items()],
            )
            db.execute("delete from signatures where seen_at < ?", (now - self._window,))
            db.execute("commit")
        except BaseException:
            db.execute("rollback")
            raise
        return outcomes

    @staticmethod
    def _one(db: sqlite3.Connection, delivery: Delivery, now: float) -> str:
        if delivery.signature is not None:
            seen = db.execute("insert or ignore into signatures values (?, ?)",
                              (delivery.signature, now))  # fmt: skip
            if seen.rowcount == 0:
                return REPLAY
        row = (delivery.vendor, delivery.key, delivery.event_type, now, delivery.body)
        made = db.execute("insert or ignore into events (vendor, event_key, event_type,"
                          " received_at, body) values (?, ?, ?, ?, ?)", row)  # fmt: skip
        return STORED if made.rowcount == 1 else DUPLICATE


def counts(path: Path) -> dict[str, dict[str, int]]:
    """What came in, per vendor and outcome (stored, duplicate, and each refusal)."""
    db = connect(path)
    try:
        found: dict[str, dict[str, int]] = {}
        for vendor, outcome, n in db.execute("select vendor, outcome, n from counts"):
            found.setdefault(vendor, {})[outcome] = n
        return found
    finally:
        db.close()
