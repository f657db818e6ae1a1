"""Instantly's fixtures, for every test directory (a plugin of the root conftest):
`instantly(...)` starts a sandbox on a free loopback port and stops it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.instantly import InstantlySandbox
from tests.support.served import Server, served


@pytest.fixture
def instantly() -> Iterator[Callable[..., Server]]:
    """`instantly(leads=..., seed=..., faults=..., rate_limits=...)` starts a sandbox: a frozen
    clock, no server-side limits unless given (the client's own pacing is tested apart)."""

    def create(leads: int = 300, seed: int = 7, **kwargs: Any) -> InstantlySandbox:
        kwargs = {"rate_limits": (), "campaigns": 5, "accounts": 4} | kwargs
        return InstantlySandbox.create(leads=leads, seed=seed, **kwargs)

    yield from served(create)
