"""A virtual clock: wall-clock paced, but it can be frozen and advanced to simulate activity."""

from __future__ import annotations

import functools
import threading
import time
from datetime import UTC, datetime

US = 1_000_000


def now_wall_us() -> int:
    return time.time_ns() // 1000


class VirtualClock:
    """Microseconds since the epoch, UTC.

    `anchor_us` is the instant the clock shows at creation; a running clock then ticks with the
    monotonic clock, a frozen one stands still until `advance` moves it.
    """

    def __init__(self, anchor_us: int | None = None, *, frozen: bool = False) -> None:
        self._anchor = now_wall_us() if anchor_us is None else anchor_us
        self._offset = 0
        self._frozen = frozen
        self._t0 = time.monotonic_ns()
        self._lock = threading.Lock()

    @property
    def anchor_us(self) -> int:
        return self._anchor

    def now_us(self) -> int:
        with self._lock:
            ticking = 0 if self._frozen else (time.monotonic_ns() - self._t0) // 1000
            return self._anchor + self._offset + ticking

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += int(seconds * US)
        return self.now_us()


@functools.lru_cache(maxsize=4096)
def _date(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")


def format_rfc3339(us: int) -> str:
    """RFC 3339 in UTC as the vendor writes it: `...:56Z`, or `...:56.123Z` with milliseconds."""
    day, in_day = divmod(us, 86_400 * US)
    seconds, micros = divmod(in_day, US)
    hours, rest = divmod(seconds, 3600)
    stamp = f"{_date(day)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{stamp}Z" if micros < 1000 else f"{stamp}.{micros // 1000:03d}Z"


def format_http_date(us: int) -> str:
    return datetime.fromtimestamp(us / US, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def parse_iso_us(text: str) -> int:
    """An ISO 8601 date or date-time (`Z` or an offset; none means UTC) as µs since the epoch;
    ValueError when it is neither."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * US)
