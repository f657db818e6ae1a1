"""Unify's world in `sequence-funnel demo` (pipelines.demo finds it as `sandbox.<vendor>.demo`)."""

from __future__ import annotations

from typing import Any

from sandbox.unify import DEFAULT_API_KEY, UnifySandbox


def demo_world(seed: int, shared_people: int, anchor_us: int) -> tuple[Any, str, dict[str, Any]]:
    """The sandbox, what it was seeded with, and the source's settings against it."""
    sandbox = UnifySandbox.create(5000, seed, shared_people=shared_people, anchor_us=anchor_us)
    # steps every run, and quick polls: the demo's clock jumps ahead, the wall clock does not
    settings = {"api_key": DEFAULT_API_KEY, "steps_refresh_minutes": 0,
                "query_job_poll_seconds": 0.2}  # fmt: skip
    return sandbox, "5,000 seeded enrollments", settings
