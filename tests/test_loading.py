"""What every vendor's load must do, run against each (the `vendor` fixture): exact through
faults, exact after the world moves on, and through the command line, silent about its key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox.common.faults import FaultConfig
from tests.support.cli import files_containing, run_cli
from tests.support.harness import VendorUnderTest
from tests.support.loading import Loader
from tests.support.warehouses import DuckDBWarehouse

# 15 % of requests: a 429 that does not say how long, a 5xx, a dropped or cut connection, a
# body that is not JSON, a slow answer past the client's timeout
FAULTS = FaultConfig(
    rate_limited=0.04, server_error=0.04, drop=0.02, truncate=0.02, bad_json=0.02,
    slow=0.01, slow_seconds=0.5, retry_after=None, seed=5,
)  # fmt: skip


def _loader(vendor: VendorUnderTest, server: Any, tmp_path: Path, warehouse: Any,
            monkeypatch: pytest.MonkeyPatch) -> Loader:  # fmt: skip
    """The vendor's source configured as its scheduled load is (its `cli_env`), loaded from
    Python into `warehouse`."""
    for key, value in vendor.env(server, tmp_path).items():
        if key.startswith("SOURCES__"):
            monkeypatch.setenv(key, value)
    return Loader(tmp_path, server.base_url, warehouse, name=vendor.name,
                  source=vendor.harness.source, settings=lambda base_url: {})  # fmt: skip


def test_faults_on_15_percent_of_requests_give_the_same_exact_result(
    vendor: VendorUnderTest, warehouse: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = vendor.start(1000, faults=FAULTS)
    load = _loader(vendor, server, tmp_path, warehouse, monkeypatch)
    first = load.run(request_timeout=0.3)
    vendor.advance(server, 86_400)
    second = load.run(request_timeout=0.3)
    assert first.retries + second.retries > 0
    vendor.assert_loaded(load.warehouse, server)


def test_activity_advanced_is_applied_exactly(
    vendor: VendorUnderTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = vendor.start(600)
    load = _loader(vendor, server, tmp_path, None, monkeypatch)
    load.run()
    vendor.advance(server, 12 * 3600)
    touched = server.state.touch(7)
    summary = load.run()
    vendor.assert_loaded(load.warehouse, server)
    assert len(touched) == 7
    # only what changed, not every record again
    assert 7 <= summary.rows[vendor.harness.counted] < 600


def test_a_run_exits_0_loads_exactly_and_the_key_is_never_written(
    vendor: VendorUnderTest, tmp_path: Path
) -> None:
    server = vendor.start(400)
    env = vendor.env(server, tmp_path)
    key = env[vendor.harness.key_variable]
    result = run_cli(tmp_path, env, vendor=vendor.name)
    assert result.returncode == 0, result.stderr
    assert vendor.harness.counted in result.stdout
    vendor.assert_loaded(DuckDBWarehouse(tmp_path / "warehouse.duckdb"), server)
    assert key not in result.stdout + result.stderr
    assert files_containing(tmp_path, key) == []
