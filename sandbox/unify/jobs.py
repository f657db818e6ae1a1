"""Bulk API query jobs for enrollments and enrollment steps: create, list, get, cancel, results.

A job snapshots what matches its filter when it is created (results of a finished job are
immutable, so every page is stable), is IN_PROGRESS for `ready_after` wall-clock seconds, then
FINISHED; it can be failed on demand (`fail_next`), canceled, and expires 24 hours (virtual
clock) after creation. Creating jobs spends a daily budget (about 100 a day, the vendor says);
once spent, creation answers 429 with a Retry-After until the oldest job of the day ages out.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from sandbox.common.clock import US, format_rfc3339
from sandbox.unify import bulk_render
from sandbox.unify.job_filters import JobFilter, parse_filter
from sandbox.unify.store import UnifyState

DAY = 86_400 * US
JSON_MAX, NDJSON_MAX, DEFAULT_PAGE_SIZE = 2_000, 10_000, 1_000
KINDS = ("enrollments", "enrollment-steps")
SNAPSHOT = ("updated_at", "started_at", "ended_at", "status", "flags", "sequence", "person",
            "mailbox", "play", "reply_classes")  # fmt: skip


class JobError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


@dataclass
class Job:
    id: str
    kind: str
    created_us: int
    expires_us: int
    ready_at: float  # time.monotonic()
    cols: dict[str, np.ndarray]
    rows: list[Any]  # enrollment indexes, or (enrollment index, step plan entry) pairs
    failed: bool = False
    canceled_us: int | None = None


@dataclass
class JobStore:
    state: UnifyState
    ready_after: float = 0.2  # seconds of wall-clock time a job stays IN_PROGRESS
    daily_budget: int = 100
    fail_next: int = 0  # the next N jobs fail
    lifetime_us: int = DAY  # a job created now expires this long after (virtual clock)
    jobs: dict[str, Job] = field(default_factory=dict)
    created: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, job: Job) -> str:
        if job.canceled_us is not None:
            return "CANCELED"
        if self.state.clock.now_us() >= job.expires_us:
            return "EXPIRED"
        if job.failed:
            return "FAILED"
        return "IN_PROGRESS" if time.monotonic() < job.ready_at else "FINISHED"

    def describe(self, job: Job) -> dict[str, Any]:
        status = self.status(job)
        canceled = job.canceled_us
        return {
            "job_id": job.id, "status": status,
            "total_rows": len(job.rows) if status == "FINISHED" else None,
            "error_code": "query_failed" if status == "FAILED" else None,
            "created_at": format_rfc3339(job.created_us),
            "expires_at": format_rfc3339(job.expires_us),
            "canceled_at": None if canceled is None else format_rfc3339(canceled),
        }  # fmt: skip

    def create(self, kind: str, body: Any) -> dict[str, Any]:
        flt = parse_filter(kind, body, self.state.world)
        with self.state.lock:
            now = self.state.now()
            with self.lock:
                self._spend_budget(now)
            n = self.state.table.n
            cols = {name: self.state.table.cols[name][:n].copy() for name in SNAPSHOT}
        rows = _matching(self.state, kind, flt, cols, now)
        with self.lock:
            job_id = self.state.world.ids["job"].make(self.created)
            self.created += 1
            failed = self.fail_next > 0
            self.fail_next -= failed
            ready_at = time.monotonic() + self.ready_after
            job = Job(job_id, kind, now, now + self.lifetime_us, ready_at, cols, rows, failed)
            self.jobs[job_id] = job
        expires_at = format_rfc3339(job.expires_us)
        return {"job_id": job_id, "status": "IN_PROGRESS", "expires_at": expires_at}

    def _spend_budget(self, now: int) -> None:
        today = sorted(j.created_us for j in self.jobs.values() if j.created_us > now - DAY)
        if len(today) >= self.daily_budget:
            wait = max(1, (today[0] + DAY - now) // US) if today else DAY // US
            message = f"Query job limit reached ({self.daily_budget} a day)"
            raise JobError(429, "rate_limited", message, wait)

    def get(self, kind: str, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None or job.kind != kind:
            raise JobError(404, "not_found", "Query job not found")
        return job

    def cancel(self, kind: str, job_id: str) -> dict[str, Any]:
        job = self.get(kind, job_id)
        with self.lock:
            if self.status(job) != "IN_PROGRESS":
                raise JobError(409, "job_not_cancelable", "Only an IN_PROGRESS job can be canceled")
            job.canceled_us = self.state.clock.now_us()
        return {"job_id": job.id, "status": "CANCELED"}

    def listing(self, kind: str, status: str | None, start: int, limit: int) -> list[Job]:
        mine = [j for j in reversed(self.jobs.values()) if j.kind == kind]
        if status:
            mine = [j for j in mine if self.status(j) == status]
        return mine[start : start + limit + 1]

    def page(self, kind: str, job_id: str, page: int, size: int | None, ndjson: bool) -> Any:
        job = self.get(kind, job_id)
        status = self.status(job)
        if status == "IN_PROGRESS":
            raise JobError(409, "results_not_ready", "Results are not ready yet: poll the job")
        if status == "FAILED":
            raise JobError(409, "results_failed", "The query job failed and has no results")
        if status == "CANCELED":
            raise JobError(409, "results_canceled", "The query job was canceled")
        if status == "EXPIRED":
            raise JobError(410, "results_expired", "The query job's results have expired")
        limit = NDJSON_MAX if ndjson else JSON_MAX
        size = size or DEFAULT_PAGE_SIZE
        if size > limit:
            raise JobError(413, "results_page_too_large",
                           f"page_size may be at most {limit} for this response type")  # fmt: skip
        chunk = job.rows[(page - 1) * size : page * size]
        world = self.state.world
        if kind == "enrollments":
            data = bulk_render.enrollments(world, job.cols, chunk)
            data = self.state.with_new_fields([int(i) for i in chunk], data)
        else:  # an enrollment's new fields show on its step rows too
            data = bulk_render.steps(world, job.cols, chunk)
            data = self.state.with_new_fields([int(i) for i, _ in chunk], data)
        return len(job.rows), size, data


def _matching(state: UnifyState, kind: str, flt: JobFilter, cols: dict, now: int) -> list[Any]:
    candidates = np.nonzero(flt.enrollment_mask(cols, kind))[0].tolist()
    world = state.world
    if kind == "enrollments":
        return [i for i in candidates if flt.company_matches(world, int(cols["person"][i]))]
    pairs = ((i, p) for i in candidates for p in bulk_render.step_plan(world, cols, i, now))
    return [pair for pair in pairs if flt.step_matches(world, cols, *pair)]


def ndjson_lines(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)
