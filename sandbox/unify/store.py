"""The state of one sandbox workspace and every read and write the API makes on it.

All access goes through one lock: the server thread serves requests while a test thread may
advance the clock or inspect the truth.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.common.clock import US, VirtualClock, format_rfc3339
from sandbox.unify import render
from sandbox.unify.enrollments import (
    CANCEL,
    CANCELED,
    DAY,
    FINISHED,
    IN_PROGRESS,
    PAUSED,
    STAY_DRAFT,
    WAITING,
    EnrollmentTable,
    plan_enrollments,
)
from sandbox.unify.population import populate
from sandbox.unify.validation import parse_rfc3339
from sandbox.unify.world import World, build_world

SCAN_CHUNK = 65_536
NO_MATCH = -1  # a well-formed id that names nothing: the filter matches no row

MAX_ENROLLMENTS = 2_000_000  # sandbox/README.md: a million generate in about 1.2 s


@dataclass(frozen=True)
class EnrollmentFilter:
    sequence: int | None = None
    person: int | None = None
    mailbox: int | None = None
    play: int | None = None
    statuses: tuple[int, ...] | None = None
    updated_after: int | None = None
    updated_before: int | None = None

    def mask(self, t: EnrollmentTable, lo: int, hi: int) -> np.ndarray | None:
        """Rows lo..hi that match, or None when every row does."""
        mask: np.ndarray | None = None

        def both(m: np.ndarray) -> None:
            nonlocal mask
            mask = m if mask is None else mask & m

        for col, value in (
            ("sequence", self.sequence),
            ("person", self.person),
            ("mailbox", self.mailbox),
            ("play", self.play),
        ):
            if value is not None:
                both(t.cols[col][lo:hi] == value)
        if self.statuses is not None:
            both(np.isin(t.cols["status"][lo:hi], self.statuses))
        if self.updated_after is not None:
            both(t.cols["updated_at"][lo:hi] >= self.updated_after)
        if self.updated_before is not None:
            both(t.cols["updated_at"][lo:hi] <= self.updated_before)
        return mask


@dataclass
class UnifyState:
    world: World
    table: EnrollmentTable
    clock: VirtualClock
    rng: np.random.Generator  # for activity after generation (creates, touches)
    lock: threading.RLock
    arrivals_per_day: float = 0.0  # new enrollments a day while the clock advances
    oldest_first: bool = False  # list order: newest created first (default) or oldest first
    # Fields the vendor has added to some enrollments since the document (index -> fields),
    # served wherever an enrollment is rendered, and on its step rows: how a test ships an API
    # change.
    new_fields: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def generate(
        cls,
        enrollments: int = 1000,
        seed: int = 42,
        *,
        anchor_us: int | None = None,
        span_days: int = 180,
        frozen_clock: bool = False,
    ) -> UnifyState:
        if not 1 <= enrollments <= MAX_ENROLLMENTS:
            raise ValueError(f"enrollments must be between 1 and {MAX_ENROLLMENTS:,}")
        clock = VirtualClock(anchor_us, frozen=frozen_clock)
        anchor = clock.anchor_us // 1000 * 1000
        world = build_world(seed, enrollments, anchor, span_days)
        rng = np.random.default_rng(seed)
        table = populate(world, rng, enrollments, anchor, span_days)
        arrivals = enrollments / span_days
        return cls(
            world, table, clock, np.random.default_rng(seed + 1), threading.RLock(), arrivals
        )

    # --- time -----------------------------------------------------------------------------

    def now(self) -> int:
        """The current instant in whole milliseconds, with due activity applied."""
        now = self.clock.now_us() // 1000 * 1000
        self.table.apply_events(now)
        return now

    def advance(self, seconds: float) -> int:
        """Move the clock forward: enrollments progress as planned, and new people are enrolled
        at the seeded daily rate. Returns how many enrollments were created or changed."""
        with self.lock:
            start = self.now()
            before = self.table.updated_at.copy()
            self.clock.advance(seconds)
            end = self.clock.now_us() // 1000 * 1000
            self._enroll_arrivals(start, end)
            self.now()
            n_before = len(before)
            moved = np.count_nonzero(self.table.updated_at[:n_before] != before)
            return int(moved) + self.table.n - n_before

    def _enroll_arrivals(self, start: int, end: int) -> None:
        live = [s.index for s in self.world.sequences if not s.is_deleted]
        k = int(self.rng.poisson(self.arrivals_per_day * (end - start) / DAY)) if live else 0
        if k == 0:
            return
        created = np.sort(self.rng.integers(start + 1000, end + 1, k)) // 1000 * 1000
        seq = self.rng.choice(live, size=k).astype(np.int32)
        durations = np.array([self.world.sequences[i].duration_us for i in seq], dtype=np.int64)
        plan = plan_enrollments(self.rng, created, durations)
        persons = np.arange(self.world.n_persons, self.world.n_persons + k, dtype=np.int32)
        self.world.n_persons += k  # people new to the workspace: none is enrolled elsewhere
        play = np.where(
            self.rng.random(k) < 0.45, self.rng.integers(0, len(self.world.plays), k), -1
        )
        mailbox = self.rng.integers(0, len(self.world.mailboxes), k)
        self.table.append(**plan, sequence=seq, person=persons, mailbox=mailbox, play=play)

    def counts(self) -> dict[str, int]:
        return {"enrollments": self.table.n}

    def touch(self, count: int, backdate_seconds: float = 0.0) -> list[str]:
        """Bump `updated_at` of `count` random enrollments to now minus `backdate_seconds`.

        A backdated touch is a change committed late (a long transaction, a lagging replica):
        its `updated_at` is older than the moment it becomes visible.
        """
        with self.lock:
            idx = self.rng.choice(self.table.n, size=min(count, self.table.n), replace=False)
            ids = [self.world.ids["enroll"].make(int(i)) for i in idx]
            self.backdate(ids, seconds=backdate_seconds)
            return ids

    def backdate(self, enrollment_ids: list[str], *, seconds: float, to: str | None = None) -> None:
        """Set `updated_at` of these enrollments to `seconds` before `to` (RFC 3339; default
        now): their last change becomes visible with an older timestamp, as a late commit does."""
        with self.lock:
            base = self.now() if to is None else parse_rfc3339(to)
            if base is None:
                raise ValueError(f"not an RFC 3339 instant: {to!r}")
            stamp = (base - int(seconds * US)) // 1000 * 1000
            for enrollment_id in enrollment_ids:
                i = self.enrollment_index(enrollment_id)
                if i is None:
                    raise KeyError(enrollment_id)
                self.table.cols["updated_at"][i] = stamp

    # --- enrollments ------------------------------------------------------------------------

    def enrollment_index(self, enrollment_id: str) -> int | None:
        i = self.world.ids["enroll"].index_of(enrollment_id)
        return i if i is not None and i < self.table.n else None

    def render_enrollment(self, i: int) -> dict[str, Any]:
        return self.with_new_fields([i], render.enrollments(self.world, self.table, [i]))[0]

    def with_new_fields(
        self, indexes: list[int], rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        for i, row in zip(indexes, rows, strict=True):
            row.update(self.new_fields.get(i, {}))
        return rows

    def list_enrollments(
        self, flt: EnrollmentFilter, after: int | None, limit: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page in the list order, continuing past index `after` (the last row served).

        Returns the page and the index to continue after, if more rows match.
        """
        with self.lock:
            self.now()
            found = self._scan(flt, after, limit + 1)
            page = render.enrollments(self.world, self.table, found[:limit])
            page = self.with_new_fields(found[:limit], page)
            return page, (found[limit - 1] if len(found) > limit else None)

    def _scan(self, flt: EnrollmentFilter, after: int | None, wanted: int) -> list[int]:
        """Up to `wanted` matching indexes past `after`, chunk by chunk (never the whole table)."""
        n = self.table.n
        found: list[int] = []
        if self.oldest_first:
            lo = 0 if after is None else after + 1
            while lo < n and len(found) < wanted:
                hi = min(n, lo + SCAN_CHUNK)
                mask = flt.mask(self.table, lo, hi)
                hits = np.arange(lo, hi) if mask is None else np.nonzero(mask)[0] + lo
                found.extend(int(i) for i in hits[: wanted - len(found)])
                lo = hi
            return found
        hi = n if after is None else min(after, n)
        while hi > 0 and len(found) < wanted:
            lo = max(0, hi - SCAN_CHUNK)
            mask = flt.mask(self.table, lo, hi)
            hits = np.arange(hi - 1, lo - 1, -1) if mask is None else np.nonzero(mask)[0][::-1] + lo
            found.extend(int(i) for i in hits[: wanted - len(found)])
            hi = lo
        return found

    def create_enrollment(self, seq: int, person: int, mailbox: int) -> tuple[str, Any]:
        """('created', row) or ('conflict', (active_sequence_id, active_enrollment_id)).

        Active is a draft, or an enrollment that has started and not finished: one created but
        not started yet (its first step is minutes to hours away) is not, so a blind retry of a
        create whose answer was lost enrolls the person a second time."""
        with self.lock:
            now = self.now()
            t = self.table
            active = np.nonzero((t.person == person) & (t.status != FINISHED)
                                & (t.phase != WAITING))[0]  # fmt: skip
            if len(active):
                i = int(active[-1])
                seq_id = self.world.sequences[int(t.sequence[i])].id
                return "conflict", (seq_id, self.world.ids["enroll"].make(i))
            plan = plan_enrollments(
                self.rng, np.array([now]), np.array([self.world.sequences[seq].duration_us])
            )
            if plan["outcome"][0] == STAY_DRAFT:  # drafts come from agentic plays, not the API
                plan["outcome"][0], plan["status"][0], plan["phase"][0] = CANCEL, IN_PROGRESS, 0
            extra = {"sequence": [seq], "person": [person], "mailbox": [mailbox], "play": [-1]}
            (i,) = t.append(**plan, **{k: np.array(v) for k, v in extra.items()})
            return "created", self.render_enrollment(int(i))

    def set_enrollment_paused(self, i: int, paused: bool) -> bool:
        """False when the enrollment has finished and can no longer be paused or resumed."""
        with self.lock:
            now = self.now()
            t = self.table
            if t.status[i] == FINISHED:
                return False
            if bool(t.flags[i] & PAUSED) != paused:
                t.set_paused(i, paused, now)
            return True

    def cancel_enrollment(self, i: int) -> bool:
        """Cancel (the API's DELETE). False when it had already finished some other way."""
        with self.lock:
            now = self.now()
            t = self.table
            if t.status[i] == FINISHED:  # canceling twice is fine; canceling a finished one is not
                return bool(t.flags[i] & CANCELED)
            t.cancel(i, now)
            return True

    # --- sequences ---------------------------------------------------------------------------

    def sequence_index(self, sequence_id: str) -> int | None:
        i = self.world.ids["seq"].index_of(sequence_id)
        if i is None or i >= len(self.world.sequences) or self.world.sequences[i].is_deleted:
            return None
        return i

    def list_sequences(self, before: int | None, limit: int) -> tuple[list[dict], int | None]:
        with self.lock:
            start = len(self.world.sequences) if before is None else before
            live = [s for s in reversed(self.world.sequences[:start]) if not s.is_deleted]
            page = [s.body for s in live[:limit]]
            return page, (live[limit - 1].index if len(live) > limit else None)

    def set_sequence_paused(self, i: int, paused: bool) -> bool:
        """False when the sequence is already in that state (the API answers 409)."""
        with self.lock:
            body = self.world.sequences[i].body
            if body["is_paused"] == paused:
                return False
            body["is_paused"] = paused
            body["updated_at"] = format_rfc3339(self.now())
            return True

    def delete_sequence(self, i: int) -> None:
        """Delete a sequence; its enrollments still in progress are canceled."""
        with self.lock:
            now = self.now()
            self.world.sequences[i].is_deleted = True
            t = self.table
            for j in np.nonzero((t.sequence == i) & (t.status != FINISHED))[0]:
                t.cancel(int(j), now)

    # --- the truth, for tests and benchmarks ---------------------------------------------------

    def all_enrollments(self) -> list[dict[str, Any]]:
        with self.lock:
            self.now()
            every = list(range(self.table.n))
            return self.with_new_fields(every, render.enrollments(self.world, self.table, every))
