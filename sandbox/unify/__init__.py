"""A local stand-in for the Unify Sequences API v1, faithful to the vendor's OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.common.admin import Front
from sandbox.common.faults import FaultConfig, FaultInjector, WindowLimit
from sandbox.common.server import Served
from sandbox.unify.app import PREFIX, build_app, error_body, is_api_path
from sandbox.unify.jobs import JobStore
from sandbox.unify.store import UnifyState

DEFAULT_API_KEY = "unify-sandbox-key"
# "The Sequences API is rate-limited to 100,000 requests per five minute window."
DOCUMENTED_LIMIT = WindowLimit(requests=100_000, window_seconds=300)


@dataclass
class UnifySandbox(Served):
    """State, app and faults of one sandbox server. `with sandbox.serve() as url: ...`.

    `app` is what is served: the admin routes (/_sandbox), then the vendor's API behind the
    fault injector."""

    PREFIX = PREFIX

    state: UnifyState
    faults: FaultInjector
    jobs: JobStore
    app: Any

    @classmethod
    def create(
        cls,
        enrollments: int = 1000,
        seed: int = 42,
        *,
        api_keys: frozenset[str] = frozenset({DEFAULT_API_KEY}),
        faults: FaultConfig | None = None,
        rate_limit: WindowLimit | None = DOCUMENTED_LIMIT,
        anchor_us: int | None = None,
        frozen_clock: bool = False,
        list_order: str = "newest_first",
        shared_people: int = 0,
    ) -> UnifySandbox:
        if list_order not in ("newest_first", "oldest_first"):
            raise ValueError("list_order is newest_first or oldest_first")
        state = UnifyState.generate(
            enrollments, seed, anchor_us=anchor_us, frozen_clock=frozen_clock
        )
        state.oldest_first = list_order == "oldest_first"
        state.world.shared_people = shared_people  # addresses other worlds share
        jobs = JobStore(state)
        injector, app = Front(is_api_path, error_body).serve(
            state, build_app(state, api_keys, jobs), faults, [rate_limit] if rate_limit else []
        )
        return cls(state, injector, jobs, app)


__all__ = [
    "DEFAULT_API_KEY", "DOCUMENTED_LIMIT", "PREFIX", "FaultConfig", "UnifySandbox", "WindowLimit",
]  # fmt: skip
