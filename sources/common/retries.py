"""What a vendor client retries and for how long: the policy, and the error that marks a
failure as transient (429, 5xx, a broken or cut connection) rather than the request's fault."""

from __future__ import annotations

from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from time import time


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    retry_after_floor: float = 1.0  # seconds, when Retry-After is 0, missing or unreadable
    retry_after_cap: float = 120.0
    give_up_after: float = 900.0  # a 429 asking for a longer wait fails now: RateLimitedError
    timeout: float = 60.0

    def configured(
        self, max_attempts: int, backoff_initial: float, retry_after_floor: float, timeout: float
    ) -> RetryPolicy:
        """This vendor's policy with the settings a user may change (a source's arguments, the
        same `SOURCES__<VENDOR>__*` for its actions' client); at least one attempt."""
        return replace(
            self, max_attempts=max(1, int(max_attempts)), backoff_initial=float(backoff_initial),
            retry_after_floor=float(retry_after_floor), timeout=float(timeout),
        )  # fmt: skip


class TransientError(Exception):
    def __init__(
        self,
        reason: str,
        retry_after: float | None = None,
        status: int = 0,
        *,
        unanswered: bool = False,  # no connection at all: the address may be wrong
        timed_out: bool = False,  # no answer in time: the call may still be under way there
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.status = status
        self.unanswered = unanswered
        self.timed_out = timed_out


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None
