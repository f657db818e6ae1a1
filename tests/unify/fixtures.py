"""Unify's fixtures, for every test directory (a plugin of the root conftest): `unify(...)`
starts a sandbox on a free loopback port and stops it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from sandbox.unify import DEFAULT_API_KEY, UnifySandbox
from tests.support.served import Server, served


class UnifyServer(Server):
    def __init__(self, sandbox: UnifySandbox, base_url: str) -> None:
        super().__init__(sandbox, base_url)
        self.client = httpx.Client(
            base_url=base_url, headers={"x-api-key": DEFAULT_API_KEY}, timeout=10
        )

    def close(self) -> None:
        self.client.close()

    def page_all(self, **params: Any) -> tuple[list[dict[str, Any]], int]:
        """Every enrollment the list endpoint returns for `params`, and the requests it took."""
        rows: list[dict[str, Any]] = []
        cursor, requests = None, 0
        while True:
            query = {"limit": 100, **params} | ({"cursor": cursor} if cursor else {})
            body = self.client.get("/enrollments", params=query).raise_for_status().json()
            requests += 1
            rows += body["enrollments"]
            cursor = body["next_cursor"]
            if cursor is None:
                return rows, requests


@pytest.fixture
def unify() -> Iterator[Callable[..., UnifyServer]]:
    """`unify(enrollments=..., seed=..., faults=..., frozen_clock=...)` starts a sandbox."""
    yield from _servers()


@pytest.fixture(scope="module")
def unify_for_module() -> Iterator[Callable[..., UnifyServer]]:
    """`unify`, for a world the tests of a module only read."""
    yield from _servers()


def _servers() -> Iterator[Callable[..., UnifyServer]]:
    def create(enrollments: int = 300, seed: int = 7, **kwargs: Any) -> UnifySandbox:
        return UnifySandbox.create(enrollments, seed, **kwargs)

    yield from served(create, UnifyServer)
