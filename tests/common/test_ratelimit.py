"""The client-side limiter keeps every thread of a run inside the vendor's documented limit."""

from __future__ import annotations

import threading
import time

from sources.common.ratelimit import RequestLimiter


def test_no_window_ever_holds_more_than_the_limit():
    limiter = RequestLimiter(requests=5, per_seconds=1)
    stamps: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(4):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    assert len(stamps) == 12
    for i, start in enumerate(stamps):  # any one-second window: at most 5 requests
        assert sum(1 for s in stamps[i:] if s - start < 0.999) <= 5
    assert limiter.waited > 0
