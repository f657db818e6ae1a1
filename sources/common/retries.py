"""What a vendor client retries and for how long: the policy, and the error that marks a
failure as transient (429, 5xx, a broken or cut connection) rather than the request's fault."""

from __future__ import annotations

from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from time import time

from tenacity import RetryCallState
from tenacity.wait import wait_exponential_jitter


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
        self,
        max_attempts: int | None,
        backoff_initial: float | None,
        retry_after_floor: float | None,
        timeout: float | None,
    ) -> RetryPolicy:
        """This vendor's policy with the settings a user changed (None: this policy's own);
        at least one attempt."""
        return replace(
            self,
            max_attempts=max(1, int(_or(max_attempts, self.max_attempts))),
            backoff_initial=float(_or(backoff_initial, self.backoff_initial)),
            retry_after_floor=float(_or(retry_after_floor, self.retry_after_floor)),
            timeout=float(_or(timeout, self.timeout)),
        )

    def wait(self, state: RetryCallState) -> float:
        """Before the next attempt: what a 429 or 5xx asked (Retry-After, within the floor and
        the cap), else an exponential backoff with jitter."""
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        backoff = wait_exponential_jitter(
            multiplier=self.backoff_initial, max=self.backoff_max, jitter=self.backoff_initial
        )
        if getattr(exc, "status", 0) == 429:  # told to slow down: never sooner than the floor
            if retry_after is None:  # but not for how long (Instantly never says): back off
                return max(self.retry_after_floor, backoff(state))
            return min(self.retry_after_cap, max(self.retry_after_floor, retry_after))
        if retry_after:
            return min(self.retry_after_cap, retry_after)
        return backoff(state)

    def wait_to_ask(self, state: RetryCallState) -> float:
        """Before asking whether a timed-out write took effect, as long again as it was given:
        the server may still be making it (measured in tests: asked at once, the answer is no,
        and the retry enrolls a second time)."""
        exc = state.outcome.exception() if state.outcome else None
        timed_out = getattr(exc, "timed_out", False)
        return max(self.wait(state), self.timeout if timed_out else 0.0)


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


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
