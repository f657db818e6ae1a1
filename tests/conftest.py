"""Shared fixtures: warehouses, the vendor a vendor-neutral test runs against, and the three
vendors' worlds sharing people (the cross-vendor funnel's)."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
# loads in this process (the Dagster recipe) leave the funnel models alone, as the CLI's tests
# do (tests.support.cli.clean_env); tests/funnel builds them
os.environ["FUNNEL__BUILD"] = "false"

from tests.support.vendors import HARNESSES, Harness, VendorUnderTest, fixture_modules
from tests.support.warehouses import DuckDBWarehouse, ThrowawayPostgres, postgres_bin_dir

# each vendor's own fixtures (its sandbox servers), visible to every test directory
pytest_plugins = fixture_modules()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    """A real PostgreSQL server on loopback for the whole session, one per xdist worker
    (skipped, with the reason shown in the summary, only when the server binaries are not
    installed)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL not installed (/usr/lib/postgresql/*/bin): `make test` installs"
            " Debian's postgresql package when it can"
        )
    # not pytest's tmp dirs: their parents are private to root, and the server runs as postgres
    server = ThrowawayPostgres(bin_dir, Path(tempfile.mkdtemp(prefix="sf-postgres-"))).start()
    yield server
    server.stop()


POSTGRES = "postgres"  # the user property of a test run against the PostgreSQL server


def counts_as_postgres(request: pytest.FixtureRequest) -> Any:
    """The session's server, the test marked as run against it for the summary's PostgreSQL
    line (a report's user property, which reaches the xdist controller). Marked first, so that
    a skip is counted too."""
    request.node.user_properties.append((POSTGRES, None))
    server = request.getfixturevalue("postgres_server")
    request.node.user_properties.append((POSTGRES, server.version))
    return server


@pytest.fixture
def postgres_database(request: pytest.FixtureRequest) -> Any:
    """A new database on the session's server, for one test."""
    return counts_as_postgres(request).new_database()


SUITE_STARTED = pytest.StashKey[float]()
SUITE_TIME = Path(__file__).resolve().parents[1] / "bench" / "results" / "suite.json"


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[SUITE_STARTED] = time.monotonic()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep the wall time of a run of the whole suite for the speed goals of `make bench`
    (bench/goals.py): on xdist's controller only, and not for a selection of the tests."""
    config = session.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    whole = (
        config.args_source == pytest.Config.ArgsSource.TESTPATHS
        and not config.getoption("keyword")
        and not config.getoption("markexpr")
        and not config.getoption("lf", False)  # none without the cache plugin (-p no:cacheprovider)
        and not config.getoption("maxfail")
    )
    if hasattr(config, "workerinput") or not whole or reporter is None:
        return
    count = {key: len(reporter.stats.get(key, [])) for key in ("passed", "failed", "error")}
    SUITE_TIME.parent.mkdir(exist_ok=True)
    SUITE_TIME.write_text(json.dumps({
        "seconds": round(time.monotonic() - config.stash[SUITE_STARTED], 1),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "passed": count["passed"], "failed": count["failed"] + count["error"],
        "workers": getattr(config.option, "numprocesses", None) or 0,
    }))  # fmt: skip


def pytest_report_header() -> str:
    bin_dir = postgres_bin_dir()
    found = f"server binaries in {bin_dir}" if bin_dir else "NOT installed: its tests will skip"
    return f"PostgreSQL: {found}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly whether the PostgreSQL tests ran against a real server."""
    reports = [
        r for key in ("passed", "failed", "skipped") for r in terminalreporter.stats.get(key, [])
        if any(name == POSTGRES for name, _ in r.user_properties)
        and (r.when == "call" or r.skipped)
    ]  # fmt: skip
    if not reports:
        return
    outcomes = {
        key: sum(r.outcome == key for r in reports) for key in ("passed", "failed", "skipped")
    }
    versions = {v for r in reports for name, v in r.user_properties if name == POSTGRES and v}
    where = (
        f"against a PostgreSQL {', '.join(sorted(versions))} server on 127.0.0.1"
        if versions
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


SHARED_PEOPLE = 60  # people every world of `worlds` has: the same addresses in each tool


@pytest.fixture
def worlds(unify: Any, instantly: Any, sequenzy: Any) -> dict[str, Any]:
    """Each vendor's sandbox, by name, its world holding SHARED_PEOPLE people the others hold."""
    return {
        "unify": unify(enrollments=400, shared_people=SHARED_PEOPLE),
        "instantly": instantly(leads=600, shared_people=SHARED_PEOPLE),
        "sequenzy": sequenzy(enrollments=500, shared_people=SHARED_PEOPLE),
    }


@pytest.fixture(params=sorted(HARNESSES))
def vendor(request: pytest.FixtureRequest) -> VendorUnderTest:
    """Each vendor, for the tests every vendor must pass (loads, deploy recipes, warehouses)."""
    harness: Harness = HARNESSES[request.param]
    return VendorUnderTest(harness, request.getfixturevalue(harness.fixture))
