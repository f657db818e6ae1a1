"""Instantly's fixtures, for every test directory (a plugin of the root conftest):
`instantly(...)` starts a sandbox on a free loopback port and stops it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.instantly import InstantlySandbox

ANCHOR_US = 1_790_000_000_000_000  # 2026-09-21T14:13:20Z: fixed, so seeded data is identical


class InstantlyServer:
    def __init__(self, sandbox: InstantlySandbox, base_url: str) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state
        self.base_url = base_url


@pytest.fixture
def instantly() -> Iterator[Callable[..., InstantlyServer]]:
    """`instantly(leads=..., seed=..., faults=..., rate_limits=...)` starts a sandbox: a frozen
    clock, no server-side limits unless given (the client's own pacing is tested apart)."""
    started: list[tuple[Any, InstantlyServer]] = []

    def start(leads: int = 300, seed: int = 7, **kwargs: Any) -> InstantlyServer:
        kwargs.setdefault("anchor_us", ANCHOR_US)
        kwargs.setdefault("frozen_clock", True)
        kwargs.setdefault("rate_limits", ())
        kwargs.setdefault("campaigns", 5)
        kwargs.setdefault("accounts", 4)
        sandbox = InstantlySandbox.create(leads=leads, seed=seed, **kwargs)
        thread = sandbox.serve()
        server = InstantlyServer(sandbox, InstantlySandbox.base_url(thread.start()))
        started.append((thread, server))
        return server

    yield start
    for thread, _ in started:
        thread.stop()
