"""A client-side request limiter shared by every thread of a run (the `limits` library).

A vendor that documents "N requests per window" gets exactly that as a moving window, so bursts
from concurrent paging never exceed it, whatever the concurrency.
"""

from __future__ import annotations

import threading
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RequestLimiter:
    def __init__(self, requests: int, per_seconds: int) -> None:
        if requests < 1 or per_seconds < 1:
            raise ValueError("a rate limit needs at least 1 request per at least 1 second")
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
