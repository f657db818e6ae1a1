"""A local stand-in for the Instantly API v2, faithful to the vendor's OpenAPI document."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from sandbox.common.admin import with_controls
from sandbox.common.clock import VirtualClock, format_rfc3339
from sandbox.common.faults import FaultConfig, FaultInjector, WindowLimit
from sandbox.common.server import Served
from sandbox.instantly.app import PREFIX, InstantlyApi, build_app, error_body, is_api_path
from sandbox.instantly.world import InstantlyWorld

DEFAULT_API_KEY = "instantly-sandbox-key"
# "No more than 100 requests per second"; "No more than 6,000 requests per minute", for the
# whole workspace; `GET /api/v2/emails`: 20 requests a minute. Answered 429, no Retry-After.
DOCUMENTED_LIMITS = (
    WindowLimit(100, 1.0), WindowLimit(6_000, 60.0), WindowLimit(20, 60.0, f"{PREFIX}/emails"),
)  # fmt: skip
ALL_SCOPES = frozenset({"all:all"})


@dataclass
class InstantlyState:
    """The workspace as the `/_sandbox` controls see it (sandbox.common.admin.Workspace)."""

    world: InstantlyWorld
    clock: VirtualClock
    lock: threading.RLock

    def advance(self, seconds: float) -> int:
        with self.lock:
            self.clock.advance(seconds)
            return 0

    def touch(self, count: int, backdate_seconds: float = 0.0) -> list[str]:
        """Edit `count` campaigns now (less `backdate_seconds`): their `timestamp_updated`."""
        with self.lock:
            stamp = format_rfc3339(self.clock.now_us() - int(backdate_seconds * 1_000_000))
            chosen = random.Random(self.clock.now_us()).sample(
                self.world.campaigns, min(count, len(self.world.campaigns))
            )
            for campaign in chosen:
                campaign["timestamp_updated"] = stamp
            return [c["id"] for c in chosen]

    def counts(self) -> dict[str, int]:
        return {"campaigns": len(self.world.campaigns), "accounts": len(self.world.accounts)}


@dataclass
class InstantlySandbox(Served):
    """State, API and faults of one sandbox server. `with sandbox.serve() as url: ...`."""

    PREFIX = PREFIX

    state: InstantlyState
    api: InstantlyApi
    faults: FaultInjector
    app: Any

    @classmethod
    def create(
        cls,
        *,
        campaigns: int = 12,
        accounts: int = 8,
        seed: int = 42,
        api_keys: dict[str, frozenset[str]] | None = None,
        paid_plan: bool = True,
        faults: FaultConfig | None = None,
        rate_limits: tuple[WindowLimit, ...] = DOCUMENTED_LIMITS,
        anchor_us: int | None = None,
        frozen_clock: bool = False,
    ) -> InstantlySandbox:
        clock = VirtualClock(anchor_us, frozen=frozen_clock)
        world = InstantlyWorld.generate(
            seed, campaigns=campaigns, accounts=accounts, anchor_us=clock.anchor_us
        )
        state = InstantlyState(world, clock, threading.RLock())
        keys = api_keys if api_keys is not None else {DEFAULT_API_KEY: ALL_SCOPES}
        api = InstantlyApi(world, clock, keys, paid_plan)
        injector = FaultInjector(
            build_app(api), is_api=is_api_path, error_body=error_body, config=faults,
            limits=rate_limits, limit_retry_after=False,
        )  # fmt: skip
        return cls(state, api, injector, with_controls(state, injector))


__all__ = [
    "ALL_SCOPES", "DEFAULT_API_KEY", "DOCUMENTED_LIMITS", "PREFIX", "FaultConfig",
    "InstantlySandbox", "WindowLimit",
]  # fmt: skip
