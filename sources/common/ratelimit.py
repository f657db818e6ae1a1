"""Client-side request limiters shared by every thread of a run (the `limits` library).

A vendor that documents "N requests per window" gets exactly that as a moving window, so bursts
from concurrent paging never exceed it, whatever the concurrency. A vendor with several limits
(per second and per minute for the workspace, a tighter one on one endpoint) gets a `RateLimits`
that holds them all and applies to each request every limit whose path prefix matches.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RequestLimiter:
    """One moving window: at most `requests` per `per_seconds`."""

    def __init__(self, requests: int, per_seconds: int) -> None:
        if requests < 1 or per_seconds < 1:
            raise ValueError("a rate limit needs at least 1 request per at least 1 second")
        self.requests, self.per_seconds = requests, per_seconds
        self.item = RateLimitItemPerSecond(requests, per_seconds)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._lock = threading.Lock()
        self.waited = 0.0

    def acquire(self) -> None:
        """Block until one more request fits in the window, then count it."""
        while True:
            with self._lock:
                if self._limiter.hit(self.item, "requests"):
                    return
                reset = self._limiter.get_window_stats(self.item, "requests").reset_time
            pause = min(1.0, max(0.001, reset - time.time()))
            self.waited += pause
            time.sleep(pause)


class RateLimits:
    """Every documented limit of one vendor: `shared` ones count every request, `per_path`
    ones only requests whose path starts with the prefix. A request waits for each limit in
    turn; one that waited on a later limit has already counted against the earlier ones,
    which errs on the side of sending fewer requests, never more."""

    def __init__(
        self,
        *shared: RequestLimiter,
        per_path: Mapping[str, Sequence[RequestLimiter]] | None = None,
    ) -> None:
        self.shared = tuple(shared)
        self.per_path = {prefix: tuple(limits) for prefix, limits in (per_path or {}).items()}

    def part(self, fraction: float) -> RateLimits:
        """The same limits at `fraction` of each (at least a request a window): the share of one
        of several loads at once on one budget (pipelines.workspaces.shares)."""
        if fraction >= 1:
            return self

        def scaled(limiters: Sequence[RequestLimiter]) -> list[RequestLimiter]:
            return [RequestLimiter(max(1, int(limiter.requests * fraction)), limiter.per_seconds)
                    for limiter in limiters]  # fmt: skip

        per_path = {prefix: scaled(limiters) for prefix, limiters in self.per_path.items()}
        return RateLimits(*scaled(self.shared), per_path=per_path)

    def acquire(self, path: str) -> None:
        for limiter in self.shared:
            limiter.acquire()
        for prefix, limiters in self.per_path.items():
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                for limiter in limiters:
                    limiter.acquire()
