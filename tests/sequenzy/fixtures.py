"""Sequenzy's fixtures, for every test directory (a plugin of the root conftest):
`sequenzy(...)` starts a sandbox on a free loopback port and stops it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.sequenzy import SequenzySandbox
from tests.support.served import Server, served


@pytest.fixture
def sequenzy() -> Iterator[Callable[..., Server]]:
    """`sequenzy(enrollments=..., seed=..., faults=..., rate_limits=...)` starts a sandbox: a
    frozen clock, no server-side limits unless given (the client's pacing is tested apart)."""

    def create(enrollments: int = 600, seed: int = 11, **kwargs: Any) -> SequenzySandbox:
        kwargs = {"rate_limits": (), "sequences": 4} | kwargs
        return SequenzySandbox.create(enrollments=enrollments, seed=seed, **kwargs)

    yield from served(create)
