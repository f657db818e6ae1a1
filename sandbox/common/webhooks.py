"""Webhook deliveries as vendors make them: a POST per event and endpoint, retried with backoff
on the sandbox's clock (so a test that advances the clock makes the retries fall due), an
answer later than the timeout counted a failure, and an endpoint disabled once it failed long
enough. What is signed and recorded is the vendor's (sandbox.<vendor>.webhooks).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.common.clock import US, VirtualClock


@dataclass
class Attempt:
    """One delivery of one event to one endpoint, and how its attempts went."""

    delivery_id: str
    url: str
    body: bytes
    headers: Callable[[], dict[str, str]]  # made anew for each attempt (a fresh signature)
    # (attempt, status, error, when it is retried on the clock, or None: it ended)
    done: Callable[[Attempt, int | None, str | None, int | None], None]
    attempts: int = 0
    first_at: int = 0  # the clock's µs when it was first due
    state: dict[str, Any] = field(default_factory=dict)  # the vendor's record of it


class Dispatcher:
    """A thread sending what falls due, in the order it falls due."""

    def __init__(self, clock: VirtualClock, backoff_s: tuple[float, ...], timeout_s: float):
        self.clock, self.backoff, self.timeout = clock, backoff_s, timeout_s
        self._due: list[tuple[int, int, Attempt]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._sending = 0
        self._thread: threading.Thread | None = None

    def send(self, attempt: Attempt, at_us: int | None = None) -> None:
        due = self.clock.now_us() if at_us is None else at_us
        attempt.first_at = attempt.first_at or due
        with self._wake:
            heapq.heappush(self._due, (due, next(self._order), attempt))
            self._wake.notify()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
            self._thread.start()

    def _retry_at(self, attempt: Attempt) -> int | None:
        """When the next attempt falls due, or None when the backoff is spent."""
        if attempt.attempts > len(self.backoff):
            return None
        return self.clock.now_us() + int(self.backoff[attempt.attempts - 1] * US)

    def pending(self) -> int:
        """Attempts due or being sent: 0 once every delivery so far has ended, or waits for a
        retry that is not due yet on the clock."""
        with self._wake:
            now = self.clock.now_us()
            return sum(1 for due, _, _ in self._due if due <= now) + self._sending

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()

    def _next(self) -> Attempt | None:
        with self._wake:
            while not self._stopped:
                if self._due and self._due[0][0] <= self.clock.now_us():
                    self._sending += 1
                    return heapq.heappop(self._due)[2]
                self._wake.wait(0.02)  # the clock may be advanced at any moment
            return None

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while (attempt := self._next()) is not None:
                attempt.attempts += 1
                try:
                    answer = client.post(attempt.url, content=attempt.body,
                                         headers=attempt.headers())  # fmt: skip
                    status, error = answer.status_code, None
                    if not 200 <= status < 300:
                        error = f"HTTP {status}"
                except httpx.HTTPError as exc:
                    status, error = None, type(exc).__name__
                due = self._retry_at(attempt) if error is not None else None
                attempt.done(attempt, status, error, due)
                with self._wake:
                    if due is not None:
                        heapq.heappush(self._due, (due, next(self._order), attempt))
                    self._sending -= 1
