"""A local stand-in for the Instantly API v2, faithful to the vendor's OpenAPI document."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.common.admin import Front
from sandbox.common.clock import VirtualClock
from sandbox.common.faults import FaultConfig, FaultInjector, WindowLimit
from sandbox.common.server import Served
from sandbox.instantly import activity, render, webhooks
from sandbox.instantly.app import PREFIX, InstantlyApi, build_app, is_api_path
from sandbox.instantly.protocol import error_body
from sandbox.instantly.world import InstantlyWorld

DEFAULT_API_KEY = "instantly-sandbox-key"
# "No more than 100 requests per second"; "No more than 6,000 requests per minute", for the
# whole workspace; `GET /api/v2/emails`: 20 requests a minute. Answered 429, no Retry-After.
DOCUMENTED_LIMITS = (
    WindowLimit(100, 1.0), WindowLimit(6_000, 60.0), WindowLimit(20, 60.0, f"{PREFIX}/emails"),
)  # fmt: skip
ALL_SCOPES = frozenset({"all:all"})
FRONT = Front(is_api_path, error_body, limit_retry_after=False)


@dataclass
class InstantlyState:
    """The workspace as the `/_sandbox` controls see it (sandbox.common.admin.Workspace)."""

    world: InstantlyWorld
    clock: VirtualClock
    lock: threading.RLock
    hooks: webhooks.InstantlyHooks

    def advance(self, seconds: float) -> int:
        """Move the clock on; returns how many planned events fell due (sends, opens, replies,
        status changes, new leads)."""
        with self.lock:
            before = self.clock.now_us()
            after = self.clock.advance(seconds)
            log, leads = self.world.log, self.world.leads
            due = int(((log.time > before) & (log.time <= after)).sum())
            if self.hooks.webhooks:
                for payload in webhooks.happened(self.world, before, after):
                    self.hooks.emit(payload)
            return due + int(((leads.created > before) & (leads.created <= after)).sum())

    def touch(self, count: int, backdate_seconds: float = 0.0) -> list[str]:
        """Mark `count` leads' interest by hand now (less `backdate_seconds`), as a user does in
        the inbox: their `lt_interest_status` and `timestamp_updated` change."""
        with self.lock:
            now = self.clock.now_us()
            stamp = (now - int(backdate_seconds * 1_000_000)) // 1000 * 1000
            chosen = self._pick(count, now)
            for k in chosen:
                interest = (1, 2, -1, 3)[k % 4]
                self.world.leads.extra.setdefault(k, []).append(
                    (stamp, activity.INTEREST, -1, -1, interest)
                )
            return [self.world.leads.id_of(k) for k in chosen]

    def delete_leads(self, count: int) -> list[str]:
        """Delete `count` leads now, as a user cleaning a list does: they leave the listing."""
        with self.lock:
            now = self.clock.now_us()
            chosen = self._pick(count, now)
            self.world.leads.deleted[chosen] = now
            return [self.world.leads.id_of(k) for k in chosen]

    def delete_campaign(self, campaign_id: str) -> None:
        """Delete a campaign, and its subsequences with it: they leave every listing; its leads
        stay, naming it."""
        with self.lock:
            self.world.deleted.add(campaign_id)

    def _pick(self, count: int, now: int) -> list[int]:
        present = np.nonzero(self.world.leads.exists(np.arange(len(self.world.leads)), now))[0]
        chosen = np.random.default_rng(now).choice(present, min(count, len(present)), replace=False)
        return sorted(int(k) for k in chosen)

    def leads_now(self) -> list[dict[str, Any]]:
        """Every lead the API holds now, in id order: the truth a full load must equal."""
        with self.lock:
            now, leads = self.clock.now_us(), self.world.leads
            return [render.lead(self.world, int(k), now) for k in leads.order
                    if leads.exists(int(k), now)]  # fmt: skip

    def emails_now(self) -> list[dict[str, Any]]:
        """Every email the listing shows now, oldest first."""
        with self.lock:
            now, index = self.clock.now_us(), self.world.emails
            return [render.email(self.world, j, False) for j in range(len(index))
                    if index.listed[j] <= now and self.world.sent(j)]  # fmt: skip

    def counts(self) -> dict[str, int]:
        now = self.clock.now_us()
        leads = self.world.leads
        return {"campaigns": len(self.world.campaigns), "accounts": len(self.world.accounts),
                "subsequences": len(self.world.subsequences),
                "leads": int(leads.exists(np.arange(len(leads)), now).sum()),
                "emails": int((self.world.emails.listed <= now).sum())}  # fmt: skip


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
        leads: int = 1_000,
        seed: int = 42,
        api_keys: dict[str, frozenset[str]] | None = None,
        paid_plan: bool = True,
        faults: FaultConfig | None = None,
        rate_limits: tuple[WindowLimit, ...] = DOCUMENTED_LIMITS,
        anchor_us: int | None = None,
        frozen_clock: bool = False,
        shared_people: int = 0,
    ) -> InstantlySandbox:
        clock = VirtualClock(anchor_us, frozen=frozen_clock)
        world = InstantlyWorld.generate(
            seed, campaigns=campaigns, accounts=accounts, leads=leads, anchor_us=clock.anchor_us
        )
        started = int((world.leads.created <= clock.anchor_us).sum())  # arrival order
        world.leads.shared = range(max(0, started - shared_people), started)
        lock = threading.RLock()
        hooks = webhooks.InstantlyHooks(world.organization, clock, lock)
        state = InstantlyState(world, clock, lock, hooks)
        keys = api_keys if api_keys is not None else {DEFAULT_API_KEY: ALL_SCOPES}
        world.hooks = hooks
        api = InstantlyApi(world, clock, keys, paid_plan, lock)
        return cls(state, api, *FRONT.serve(state, build_app(api), faults, rate_limits))


__all__ = [
    "ALL_SCOPES", "DEFAULT_API_KEY", "DOCUMENTED_LIMITS", "PREFIX", "FaultConfig",
    "InstantlySandbox", "WindowLimit",
]  # fmt: skip
