"""Sequenzy's fixtures, for every test directory (a plugin of the root conftest):
`sequenzy(...)` starts a sandbox on a free loopback port and stops it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.sequenzy import SequenzySandbox

ANCHOR_US = 1_790_000_000_000_000  # 2026-09-21T14:13:20Z: fixed, so seeded data is identical


class SequenzyServer:
    def __init__(self, sandbox: SequenzySandbox, base_url: str) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state
        self.base_url = base_url


@pytest.fixture
def sequenzy() -> Iterator[Callable[..., SequenzyServer]]:
    """`sequenzy(enrollments=..., seed=..., faults=..., rate_limits=...)` starts a sandbox: a
    frozen clock, no server-side limits unless given (the client's pacing is tested apart)."""
    started: list[tuple[Any, SequenzyServer]] = []

    def start(enrollments: int = 600, seed: int = 11, **kwargs: Any) -> SequenzyServer:
        kwargs.setdefault("anchor_us", ANCHOR_US)
        kwargs.setdefault("frozen_clock", True)
        kwargs.setdefault("rate_limits", ())
        kwargs.setdefault("sequences", 4)
        sandbox = SequenzySandbox.create(enrollments=enrollments, seed=seed, **kwargs)
        thread = sandbox.serve()
        server = SequenzyServer(sandbox, SequenzySandbox.base_url(thread.start()))
        started.append((thread, server))
        return server

    yield start
    for thread, _ in started:
        thread.stop()
