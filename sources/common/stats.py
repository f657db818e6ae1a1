"""Run statistics owned by one source instance, so two sources in one process never mix counts."""

from __future__ import annotations

import threading
from collections import Counter


class RunStats:
    """Requests and retries of one extraction; counted from every paging thread."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._reads = threading.local()  # each thread's last request: what an error is about

    def reading(self, request: str) -> None:
        """Note the request this thread makes now (`GET /enrollments`)."""
        self._reads.last = request

    def last_read(self) -> str | None:
        """The request this thread made last, if any."""
        return getattr(self._reads, "last", None)

    def add(self, name: str, count: int = 1) -> None:
        with self._lock:
            self._counts[name] += count

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def get(self, name: str, default: int = 0) -> int:
        with self._lock:
            return self._counts.get(name, default)

    def pending(self, resource: str) -> None:
        """`resource` stopped early to commit what it has, and has more to load."""
        self.add(f"pending:{resource}")

    def take_pending(self) -> list[str]:
        """The resources that said they have more, since the last call (and forget them)."""
        with self._lock:
            names = sorted(k.split(":", 1)[1] for k in self._counts if k.startswith("pending:"))
            for name in names:
                del self._counts[f"pending:{name}"]
            return names
