"""Sequenzy's world in `sequence-funnel demo` (pipelines.demo finds it as
`sandbox.<vendor>.demo`)."""

from __future__ import annotations

from typing import Any

from sandbox.sequenzy import DEFAULT_API_KEY, DOCUMENTED_LIMITS, SequenzySandbox


def demo_world(seed: int, shared_people: int, anchor_us: int) -> tuple[Any, str, dict[str, Any]]:
    """The sandbox, what it was seeded with, and the source's settings against it.

    The demo lifts the key's 100 requests a minute (its two runs take some 150 requests in a
    few seconds, which would wait a minute); the 20 a second stand. Subscribers, conversations,
    metrics and quiet sequences every run: the demo's clock jumps six hours, the wall clock a
    few seconds."""
    limits = tuple(limit for limit in DOCUMENTED_LIMITS if limit.window_seconds <= 1)
    sandbox = SequenzySandbox.create(
        sequences=6, enrollments=3000, seed=seed, rate_limits=limits,
        shared_people=shared_people, anchor_us=anchor_us,
    )  # fmt: skip
    settings = {"api_key": DEFAULT_API_KEY, "requests_per_minute": 100_000,
                "subscribers_refresh_minutes": 0, "conversations_refresh_minutes": 0,
                "metrics_refresh_minutes": 0, "quiet_refresh_minutes": 0}  # fmt: skip
    return sandbox, "3,000 seeded enrollments in 6 sequences", settings
