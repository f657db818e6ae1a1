"""Instantly's world in `sequence-funnel demo` (pipelines.demo finds it as
`sandbox.<vendor>.demo`)."""

from __future__ import annotations

from typing import Any

from sandbox.instantly import DEFAULT_API_KEY, DOCUMENTED_LIMITS, InstantlySandbox


def demo_world(seed: int, shared_people: int, anchor_us: int) -> tuple[Any, str, dict[str, Any]]:
    """The sandbox, what it was seeded with, and the source's settings against it.

    The demo lifts the emails endpoint's 20 requests a minute (at which its 7,000 emails would
    take six minutes); the workspace limits stand. Listings every run: the demo's clock jumps
    six hours, the wall clock a few seconds."""
    limits = tuple(limit for limit in DOCUMENTED_LIMITS if not limit.path)
    sandbox = InstantlySandbox.create(
        leads=2000, seed=seed, rate_limits=limits, shared_people=shared_people,
        anchor_us=anchor_us,
    )  # fmt: skip
    settings = {"api_key": DEFAULT_API_KEY, "emails_requests_per_window": 1000,
                "emails_window_seconds": 1, "catalog_refresh_minutes": 0,
                "leads_refresh_minutes": 0, "analytics_refresh_minutes": 0}  # fmt: skip
    return sandbox, "2,000 seeded leads in 12 campaigns", settings
