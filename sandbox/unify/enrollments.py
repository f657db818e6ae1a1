"""Enrollments as columns (numpy), so a million of them fit in about 100 MB.

Each enrollment carries a lifecycle plan drawn at creation (when it starts, how it ends and when);
`apply_events(t)` moves every enrollment whose next planned event is due by `t`, which is how both
the passing of time and `advance` produce realistic activity with moving `updated_at`.
"""

from __future__ import annotations

import numpy as np

from sandbox.common.clock import US

NULL = np.iinfo(np.int64).min  # a null timestamp
NEVER = np.iinfo(np.int64).max  # no next event
MINUTE, HOUR, DAY = 60 * US, 3600 * US, 86_400 * US

STATUSES = ("DRAFT", "IN_PROGRESS", "FINISHED")
DRAFT, IN_PROGRESS, FINISHED = 0, 1, 2

# flag bits
BLOCKED, BOUNCED, CANCELED, EXCLUDED, OPTED_OUT, PAUSED, REPLIED = (1 << b for b in range(7))
HAS_REPLY, NULL_SUBJECT = 1 << 7, 1 << 8
NOT_PAUSED = np.uint16(0xFFFF ^ PAUSED)  # a mask that numpy's uint16 accepts
FLAG_FIELDS = (
    ("is_blocked", BLOCKED),
    ("is_bounced", BOUNCED),
    ("is_canceled", CANCELED),
    ("is_excluded", EXCLUDED),
    ("is_opted_out", OPTED_OUT),
    ("is_paused", PAUSED),
    ("is_replied", REPLIED),
)

# planned outcomes, with their share of new enrollments
COMPLETE, REPLY, BOUNCE, OPT_OUT, CANCEL, BLOCK, EXCLUDE, STAY_DRAFT = range(8)
OUTCOME_SHARES = (0.75, 0.09, 0.04, 0.015, 0.05, 0.01, 0.015, 0.03)
END_FLAG = {REPLY: REPLIED | HAS_REPLY, BOUNCE: BOUNCED, OPT_OUT: OPTED_OUT, CANCEL: CANCELED}
# phases
WAITING, RUNNING, DONE = 0, 1, 2

COLUMNS = {
    "created_at": np.int64,
    "updated_at": np.int64,
    "started_at": np.int64,
    "ended_at": np.int64,
    "reply_at": np.int64,
    "status": np.int8,
    "flags": np.uint16,
    "sequence": np.int32,
    "person": np.int32,
    "mailbox": np.int32,
    "play": np.int32,
    "reply_classes": np.uint8,
    "phase": np.int8,
    "outcome": np.int8,
    "plan_start": np.int64,
    "plan_end": np.int64,
}


def ms(values: np.ndarray) -> np.ndarray:
    """Round instants down to whole milliseconds, as the vendor stores them."""
    return values // 1000 * 1000


class EnrollmentTable:
    def __init__(self, capacity: int) -> None:
        self.n = 0
        self.cols = {name: np.zeros(max(16, capacity), dtype) for name, dtype in COLUMNS.items()}
        self.next_due = NEVER  # earliest pending event, to skip work when nothing is due

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols")
        if cols is None or name not in cols:
            raise AttributeError(name)
        return cols[name][: self.n]

    def append(self, **values: np.ndarray) -> np.ndarray:
        """Add rows (all columns given as equal-length arrays); returns their indexes."""
        k = len(values["created_at"])
        need = self.n + k
        if need > len(self.cols["created_at"]):
            size = max(need, 2 * len(self.cols["created_at"]))
            for name, col in self.cols.items():
                grown = np.zeros(size, col.dtype)
                grown[: self.n] = col[: self.n]
                self.cols[name] = grown
        for name in COLUMNS:
            self.cols[name][self.n : need] = values[name]
        self.n = need
        self._refresh_next_due()
        return np.arange(need - k, need)

    def next_event_at(self) -> np.ndarray:
        phase = self.phase
        due = np.where(
            phase == WAITING, self.plan_start, np.where(phase == RUNNING, self.plan_end, NEVER)
        )
        return np.where((self.flags & PAUSED) != 0, NEVER, due)

    def _refresh_next_due(self) -> None:
        self.next_due = int(self.next_event_at().min()) if self.n else NEVER

    def apply_events(self, until: int) -> int:
        """Apply every planned event due by `until`; returns how many enrollments changed."""
        changed = 0
        while self.next_due <= until:
            due = np.nonzero(self.next_event_at() <= until)[0]
            changed += len(due)
            waiting, running = due[self.phase[due] == WAITING], due[self.phase[due] == RUNNING]
            self._start(waiting)  # a start makes the end due next pass, if it is due by then
            self._finish(running)
            self._refresh_next_due()
        return changed

    def _start(self, idx: np.ndarray) -> None:
        c, t = self.cols, self.plan_start[idx]
        excluded = self.outcome[idx] == EXCLUDE
        ex, go = idx[excluded], idx[~excluded]
        c["status"][ex], c["ended_at"][ex], c["phase"][ex] = FINISHED, t[excluded], DONE
        c["flags"][ex] |= EXCLUDED
        c["status"][go], c["started_at"][go], c["phase"][go] = IN_PROGRESS, t[~excluded], RUNNING
        c["updated_at"][idx] = t

    def _finish(self, idx: np.ndarray) -> None:
        c, t, outcome = self.cols, self.plan_end[idx], self.outcome[idx]
        for kind, flag in END_FLAG.items():
            c["flags"][idx[outcome == kind]] |= flag
        blocked = outcome == BLOCK
        c["flags"][idx[blocked]] |= BLOCKED  # blocked enrollments stay in progress
        ending = idx[~blocked]
        c["status"][ending], c["ended_at"][ending] = FINISHED, t[~blocked]
        replied = idx[outcome == REPLY]
        c["reply_at"][replied] = np.where(
            c["reply_classes"][replied] & 0x80, NULL, self.plan_end[replied]
        )  # a few replies carry no received_at (bit 7 of reply_classes)
        c["phase"][idx], c["updated_at"][idx] = DONE, t

    def cancel(self, i: int, at: int) -> None:
        c = self.cols
        c["flags"][i] = (c["flags"][i] | CANCELED) & NOT_PAUSED
        c["status"][i], c["ended_at"][i], c["phase"][i], c["updated_at"][i] = FINISHED, at, DONE, at
        self._refresh_next_due()

    def set_paused(self, i: int, paused: bool, at: int) -> None:
        c = self.cols
        if paused:
            c["flags"][i] |= PAUSED
        else:
            c["flags"][i] &= NOT_PAUSED
            # plans that fell due while paused resume from now, keeping their order
            if c["phase"][i] == WAITING and c["plan_start"][i] < at:
                c["plan_end"][i] += at - c["plan_start"][i]
                c["plan_start"][i] = at
            elif c["phase"][i] == RUNNING and c["plan_end"][i] < at:
                c["plan_end"][i] = at + HOUR
        c["updated_at"][i] = at
        self._refresh_next_due()


def plan_enrollments(
    rng: np.random.Generator,
    created: np.ndarray,
    durations: np.ndarray,
) -> dict[str, np.ndarray]:
    """Lifecycle plans for enrollments created at `created` in sequences lasting `durations`."""
    k = len(created)
    outcome = rng.choice(len(OUTCOME_SHARES), size=k, p=OUTCOME_SHARES).astype(np.int8)
    start = ms(created + rng.exponential(2 * HOUR, k).astype(np.int64) + MINUTE)
    after = {
        COMPLETE: durations,
        REPLY: np.minimum(rng.exponential(4 * DAY, k).astype(np.int64), durations),
        BOUNCE: rng.integers(MINUTE, 2 * DAY, k),
        OPT_OUT: np.minimum(rng.exponential(6 * DAY, k).astype(np.int64), durations),
        CANCEL: (rng.random(k) * durations).astype(np.int64),
        BLOCK: rng.integers(HOUR, 3 * DAY, k),
    }
    end = start + MINUTE
    for kind, delay in after.items():
        end = np.where(outcome == kind, start + delay + MINUTE, end)
    end = ms(end)
    whole = rng.random(k) < 0.33  # a third of the instants fall on whole seconds
    end = np.where(whole, end // US * US, end)
    end = np.maximum(end, start + 1000)
    n_classes = rng.choice(3, size=k, p=(0.1, 0.8, 0.1)).astype(np.uint8)
    categories = rng.integers(0, 4, size=(k, 2), dtype=np.uint8)  # AUTOMATED..POSITIVE
    no_received_at = (rng.random(k) < 0.02).astype(np.uint8)
    classes = n_classes | (categories[:, 0] << 2) | (categories[:, 1] << 4) | (no_received_at << 7)
    flags = np.where(rng.random(k) < 0.05, NULL_SUBJECT, 0).astype(np.uint16)
    draft = outcome == STAY_DRAFT
    return {
        "created_at": created,
        "updated_at": created.copy(),
        "started_at": np.full(k, NULL),
        "ended_at": np.full(k, NULL),
        "reply_at": np.full(k, NULL),
        "status": np.where(draft, DRAFT, IN_PROGRESS).astype(np.int8),
        "flags": flags,
        "reply_classes": classes,
        "phase": np.where(draft, DONE, WAITING).astype(np.int8),
        "outcome": outcome,
        "plan_start": start,
        "plan_end": end,
    }


CATEGORIES = ("AUTOMATED", "NEGATIVE", "NEUTRAL", "POSITIVE")


def reply_categories(code: int) -> list[str]:
    n = code & 0x3
    return [CATEGORIES[(code >> (2 + 2 * k)) & 0x3] for k in range(n)]
