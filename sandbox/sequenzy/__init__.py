"""A local stand-in for the Sequenzy API v1, held to the document it serves (`openapi.json`,
written by this project from the vendor's docs and SDKs: Sequenzy publishes none)."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.common.admin import Front
from sandbox.common.clock import VirtualClock
from sandbox.common.faults import FaultConfig, FaultInjector, WindowLimit
from sandbox.common.server import Served
from sandbox.sequenzy import enrollments, events, webhooks
from sandbox.sequenzy.app import PREFIX, SequenzyApi, build_app, is_api_path
from sandbox.sequenzy.protocol import error_body
from sandbox.sequenzy.world import CANCELLED, SequenzyWorld

DEFAULT_API_KEY = "sequenzy-sandbox-key"
ALL_SCOPES = frozenset({"all"})
FRONT = Front(is_api_path, error_body, limit_retry_after=False)
# "100 requests per minute per API key and 20 requests per second burst" (the vendor's MCP
# README); answered 429 with no Retry-After.
DOCUMENTED_LIMITS = (WindowLimit(100, 60.0), WindowLimit(20, 1.0))


@dataclass
class SequenzyState:
    """The company as the `/_sandbox` controls see it (sandbox.common.admin.Workspace)."""

    world: SequenzyWorld
    clock: VirtualClock
    lock: threading.RLock
    hooks: webhooks.SequenzyHooks

    def advance(self, seconds: float) -> int:
        """Move the clock; returns how many enrollments started or changed in between. The
        events in between are sent to the webhooks subscribed to them."""
        with self.lock:
            before = self.clock.now_us()
            after = self.clock.advance(seconds)
            if self.hooks.endpoints:
                for payload in webhooks.happened(self.world, before, after):
                    self.hooks.emit(payload)
            e = self.world.enrollments
            moments = np.column_stack([e.started, e.sends, e.outcome_at, e.ends, e.paused_at])
            return int(((moments > before) & (moments <= after)).any(axis=1).sum())

    def touch(self, count: int, backdate_seconds: float = 0.0) -> list[str]:
        """Cancel `count` running enrollments now, as a user does in the app."""
        with self.lock:
            now = self.clock.now_us()
            e = self.world.enrollments
            running = np.nonzero((e.started <= now) & (e.ends > now) & (e.outcome_at > now)
                                 & (e.paused_at > now))[0]  # fmt: skip
            chosen = random.Random(now).sample(list(running), min(count, len(running)))
            for k in chosen:
                e.outcome[k], e.outcome_at[k] = CANCELLED, now - int(backdate_seconds * 1e6)
                e.ends[k] = np.iinfo(np.int64).max
            return [self.world.enrollment_id(int(k)) for k in chosen]

    def enrollments_now(self) -> list[dict[str, Any]]:
        """Every enrollment token the API holds now, of every status: the truth to load."""
        with self.lock:
            now, rows = self.clock.now_us(), []
            for k in range(len(self.world.sequences)):
                page, _ = enrollments.listing(
                    self.world, k, now, statuses=enrollments.STATUSES, sort="enrolled_at_asc",
                    limit=len(self.world.enrollments.started), offset=0, nodes=set(),
                    subscribers=set(), email=None,
                )  # fmt: skip
                rows += page
            return rows

    def events_now(self) -> list[events.Truth]:
        """Every event of every sequence up to now, of every type, as the API lists it, with
        the sequence and enrollment it belongs to (which the API's events do not name): the
        truth to load."""
        with self.lock:
            now, rows = self.clock.now_us(), []
            for k in range(len(self.world.sequences)):
                found = events.listed(events.sequence_events(self.world, k, now))
                rows += [events.Truth(self.world.sequences[k].body["id"],
                                      self.world.enrollment_id(int(found.enrollment[i])),
                                      events.render(self.world, k, found, i))
                         for i in range(len(found.kind))]  # fmt: skip
            return rows

    def replied_now(self) -> set[str]:
        """The enrollments whose subscriber has replied to one of their emails by now (each
        reply a conversation in the inbox): the truth of who replied."""
        with self.lock:
            now, found = self.clock.now_us(), set()
            for k in range(len(self.world.sequences)):
                all_events = events.sequence_events(self.world, k, now)
                replies = all_events.enrollment[all_events.kind == len(events.TYPES)]
                found |= {self.world.enrollment_id(int(e)) for e in replies}
            return found

    def counts(self) -> dict[str, int]:
        now = self.clock.now_us()
        started = int((self.world.enrollments.started <= now).sum())
        return {"sequences": len(self.world.sequences), "enrollments": started,
                "subscribers": len(self.world.subscribers)}  # fmt: skip


@dataclass
class SequenzySandbox(Served):
    """State, API and faults of one sandbox server. `with sandbox.serve() as url: ...`."""

    PREFIX = PREFIX

    state: SequenzyState
    api: SequenzyApi
    faults: FaultInjector
    app: Any

    @classmethod
    def create(
        cls,
        *,
        sequences: int = 6,
        enrollments: int = 2_000,
        seed: int = 42,
        api_keys: dict[str, frozenset[str]] | None = None,
        faults: FaultConfig | None = None,
        rate_limits: tuple[WindowLimit, ...] = DOCUMENTED_LIMITS,
        anchor_us: int | None = None,
        frozen_clock: bool = False,
        shared_people: int = 0,
        duplicate_webhooks: float = 0.0,
    ) -> SequenzySandbox:
        clock = VirtualClock(anchor_us, frozen=frozen_clock)
        world = SequenzyWorld.generate(
            seed,
            sequences=sequences,
            enrollments=enrollments,
            anchor_us=clock.anchor_us,
            shared_people=shared_people,
        )
        lock = threading.RLock()
        hooks = webhooks.SequenzyHooks(world.company, clock, lock, duplicate_webhooks)
        world.hooks = hooks
        state = SequenzyState(world, clock, lock, hooks)
        api = SequenzyApi(world, clock, {DEFAULT_API_KEY: ALL_SCOPES} if api_keys is None
                          else api_keys, lock)  # fmt: skip
        injector, app = FRONT.serve(state, build_app(api), faults, rate_limits)
        return cls(state, api, injector, app)


__all__ = [
    "ALL_SCOPES", "DEFAULT_API_KEY", "DOCUMENTED_LIMITS", "PREFIX", "FaultConfig",
    "SequenzySandbox", "WindowLimit",
]  # fmt: skip
