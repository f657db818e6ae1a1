"""Acme's fixtures, for every test directory (a plugin of the root conftest): `acme(n)` starts
a sandbox of n enrollments on a free loopback port and stops it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.acme import AcmeSandbox
from tests.support.served import Server, served


@pytest.fixture
def acme() -> Iterator[Callable[..., Server]]:
    def create(enrollments: int = 500, seed: int = 11, **kwargs: Any) -> AcmeSandbox:
        return AcmeSandbox.create(enrollments, seed, **kwargs)

    yield from served(create)
