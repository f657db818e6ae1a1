"""Shared fixtures: sandbox servers on free loopback ports, started and stopped per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"

from sandbox.unify import DEFAULT_API_KEY, UnifySandbox
from tests.support.warehouses import DuckDBWarehouse, ThrowawayPostgres, postgres_bin_dir

ANCHOR_US = 1_790_000_000_000_000  # 2026-09-21T14:13:20Z: fixed, so seeded data is identical


class UnifyServer:
    def __init__(self, sandbox: UnifySandbox, base_url: str) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state
        self.base_url = base_url
        self.client = httpx.Client(
            base_url=base_url, headers={"x-api-key": DEFAULT_API_KEY}, timeout=10
        )

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
    started: list[tuple[Any, UnifyServer]] = []

    def start(enrollments: int = 300, seed: int = 7, **kwargs: Any) -> UnifyServer:
        kwargs.setdefault("anchor_us", ANCHOR_US)
        kwargs.setdefault("frozen_clock", True)
        sandbox = UnifySandbox.create(enrollments, seed, **kwargs)
        thread = sandbox.serve()
        server = UnifyServer(sandbox, UnifySandbox.base_url(thread.start()))
        started.append((thread, server))
        return server

    yield start
    for thread, server in started:
        server.client.close()
        thread.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    """A real PostgreSQL server on loopback for the whole session (skipped, with the reason
    shown in the summary, only when the server binaries are not installed)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL not installed (/usr/lib/postgresql/*/bin): `make test` installs"
            " Debian's postgresql package when it can"
        )
    # not pytest's tmp dirs: their parents are private to root, and the server runs as postgres
    server = ThrowawayPostgres(bin_dir, Path(tempfile.mkdtemp(prefix="sf-postgres-"))).start()
    POSTGRES_SEEN.append(server.version())
    yield server
    server.stop()


POSTGRES_SEEN: list[str] = []
POSTGRES_TESTS: set[str] = set()


@pytest.fixture
def postgres_database(request: pytest.FixtureRequest) -> Any:
    """A new database on the session's server, for one test."""
    POSTGRES_TESTS.add(request.node.nodeid)  # first, so that a skip is counted too
    return request.getfixturevalue("postgres_server").new_database()


def pytest_report_header() -> str:
    bin_dir = postgres_bin_dir()
    found = f"server binaries in {bin_dir}" if bin_dir else "NOT installed: its tests will skip"
    return f"PostgreSQL: {found}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly whether the PostgreSQL tests ran against a real server."""
    reports = [
        r for key in ("passed", "failed", "skipped") for r in terminalreporter.stats.get(key, [])
        if r.nodeid in POSTGRES_TESTS and (r.when == "call" or r.skipped)
    ]  # fmt: skip
    if not reports:
        return
    outcomes = {
        key: sum(r.outcome == key for r in reports) for key in ("passed", "failed", "skipped")
    }
    where = (
        f"against a PostgreSQL {POSTGRES_SEEN[0]} server on 127.0.0.1"
        if POSTGRES_SEEN
        else "without a server"
    )
    terminalreporter.write_line(
        f"PostgreSQL tests {where}: {outcomes['passed']} passed, {outcomes['failed']} failed,"
        f" {outcomes['skipped']} skipped"
    )


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Each destination a test runs against: a DuckDB file, and a database on the server."""
    if request.param == "duckdb":
        return DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    return request.getfixturevalue("postgres_database")
