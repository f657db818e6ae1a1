"""What every vendor's sandbox fixture does: create a world (a fixed anchor and a frozen clock
unless told otherwise, so that seeded data is identical), serve it on a free loopback port, and
stop it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

ANCHOR_US = 1_790_000_000_000_000  # 2026-09-21T14:13:20Z


class Server:
    """A sandbox being served: its world's state, and the base URL a client is given."""

    def __init__(self, sandbox: Any, base_url: str) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state
        self.base_url = base_url

    def close(self) -> None:
        """What the server holds besides its thread (a vendor's subclass may hold a client)."""


def served(
    create: Callable[..., Any], server: type[Server] = Server
) -> Iterator[Callable[..., Any]]:
    """A fixture's body: `start(...)` creates a sandbox with `create(...)` and serves it; every
    one started is stopped when the fixture ends."""
    started: list[tuple[Any, Server]] = []

    def start(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("anchor_us", ANCHOR_US)
        kwargs.setdefault("frozen_clock", True)
        sandbox = create(*args, **kwargs)
        thread = sandbox.serve()
        running = server(sandbox, type(sandbox).base_url(thread.start()))
        started.append((thread, running))
        return running

    yield start
    for thread, running in started:
        running.close()
        thread.stop()


@contextmanager
def bearer_client(sandbox: Any, api_key: str) -> Iterator[httpx.Client]:
    """`sandbox` served on loopback while the block runs, and a client of its API that sends
    `api_key` as a bearer token."""
    with sandbox.serve() as url:
        headers = {"authorization": f"Bearer {api_key}"}
        with httpx.Client(base_url=type(sandbox).base_url(url), headers=headers) as client:
            yield client
