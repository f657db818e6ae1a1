"""Acme's fixtures, for every test directory (a plugin of the root conftest): `acme(n)` starts
a sandbox of n enrollments on a free loopback port and stops it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.acme import AcmeSandbox

ANCHOR_US = 1_790_000_000_000_000  # 2026-09-21T14:13:20Z: fixed, so seeded data is identical


class AcmeServer:
    def __init__(self, sandbox: AcmeSandbox, base_url: str) -> None:
        self.sandbox, self.state, self.base_url = sandbox, sandbox.state, base_url


@pytest.fixture
def acme() -> Iterator[Callable[..., AcmeServer]]:
    started: list[Any] = []

    def start(enrollments: int = 500, seed: int = 11, **kwargs: Any) -> AcmeServer:
        kwargs.setdefault("anchor_us", ANCHOR_US)
        kwargs.setdefault("frozen_clock", True)
        sandbox = AcmeSandbox.create(enrollments, seed, **kwargs)
        thread = sandbox.serve()
        started.append(thread)
        return AcmeServer(sandbox, AcmeSandbox.base_url(thread.start()))

    yield start
    for thread in started:
        thread.stop()
