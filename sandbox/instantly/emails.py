"""The emails of a seeded Instantly workspace: every send and reply of the event log, as the
vendor's `Email` records, and the `GET /emails` listing over them.

Choices where the vendor's document is silent (sandbox/README.md): an email's id is time-ordered
(UUIDv7 of its `timestamp_created`), so `starting_after` and `sort_order` agree; a received email
reaches the listing up to 90 seconds after its `timestamp_created` (the search index trails the
database), which is why a client reading by `min_timestamp_created` needs a lookback; the
`timestamp_email` of a received email is the sender's, a few minutes earlier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.instantly import activity as ev

RECEIVED = (ev.REPLY, ev.AUTO_REPLY)
INDEX_LAG_US = 90_000_000


@dataclass
class EmailIndex:
    """Email events of the log in id order (which is `timestamp_created` order)."""

    event: np.ndarray  # int64 position in the event log
    id_hi: np.ndarray  # uint64
    id_lo: np.ndarray  # uint64
    created: np.ndarray  # int64 µs, ascending
    listed: np.ndarray  # int64 µs: when the listing shows it
    sender_skew: np.ndarray  # int64 µs: `timestamp_email` is this much earlier

    @classmethod
    def build(cls, rng: np.random.Generator, log: ev.EventLog) -> EmailIndex:
        event = np.nonzero(np.isin(log.kind, ev.EMAIL_KINDS))[0]
        created = log.time[event]
        n = len(event)
        received = np.isin(log.kind[event], RECEIVED)
        hi = (
            ((created // 1000).astype(np.uint64) << np.uint64(16))
            | np.uint64(0x7000)
            | (rng.integers(0, 0x1000, n).astype(np.uint64))
        )
        lo = (np.uint64(0b10) << np.uint64(62)) | rng.integers(
            0, 1 << 62, n, dtype=np.int64
        ).astype(np.uint64)
        order = np.lexsort((lo, hi))
        lag = np.where(received, rng.integers(0, INDEX_LAG_US, n) // 1000 * 1000, 0)
        skew = np.where(received, rng.integers(0, 600_000_000, n) // 1000 * 1000, 0)
        return cls(
            event[order], hi[order], lo[order], created[order], (created + lag)[order], skew[order]
        )

    def __len__(self) -> int:
        return len(self.event)

    def id_of(self, j: int) -> str:
        h = f"{int(self.id_hi[j]):016x}{int(self.id_lo[j]):016x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def rank(self, email_id: str) -> tuple[int, bool]:
        """Where `email_id` sits in id order: (position of the first id above or equal, equal)."""
        value = int(email_id.replace("-", ""), 16)
        hi, lo = np.uint64(value >> 64), np.uint64(value & ((1 << 64) - 1))
        at = int(np.searchsorted(self.id_hi, hi, side="left"))
        while at < len(self.id_hi) and self.id_hi[at] == hi and self.id_lo[at] < lo:
            at += 1
        same = at < len(self.id_hi) and self.id_hi[at] == hi and self.id_lo[at] == lo
        return at, bool(same)

    def window(self, after: str | None, ascending: bool, low: int, high: int) -> range:
        """Positions to scan, in listing order: created within [low, high], past the cursor."""
        first = int(np.searchsorted(self.created, low, side="left"))
        last = int(np.searchsorted(self.created, high, side="right"))
        if after is not None:
            at, same = self.rank(after)
            if ascending:
                first = max(first, at + 1 if same else at)
            else:
                last = min(last, at)
        return range(first, last) if ascending else range(last - 1, first - 1, -1)
