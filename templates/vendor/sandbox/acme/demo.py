"""Acme's world in `sequence-funnel demo` (pipelines.demo finds it as `sandbox.<vendor>.demo`)."""

from __future__ import annotations

from typing import Any

from sandbox.acme import DEFAULT_API_KEY, AcmeSandbox


def demo_world(seed: int, shared_people: int, anchor_us: int) -> tuple[Any, str, dict[str, Any]]:
    """The sandbox, what it was seeded with, and the source's settings against it."""
    sandbox = AcmeSandbox.create(500, seed, shared_people=shared_people, anchor_us=anchor_us)
    return sandbox, "500 seeded enrollments", {"api_key": DEFAULT_API_KEY}
