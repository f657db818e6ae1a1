"""The CLI into real warehouses, for each vendor, configured the way users configure them:
PostgreSQL on a server, parquet files on a filesystem."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.support.cli import run_cli
from tests.support.harness import VendorUnderTest
from tests.support.warehouses import ParquetLake


def test_the_cli_loads_postgres_and_a_fresh_runner_resumes_from_its_state(
    vendor: VendorUnderTest, tmp_path: Path, postgres_database: Any
) -> None:
    server = vendor.start(1200)
    warehouse = postgres_database
    env = vendor.env(server, tmp_path) | {"DESTINATION__POSTGRES__CREDENTIALS": warehouse.dsn}
    first = run_cli(tmp_path, env, "--destination", "postgres", vendor=vendor.name)
    assert first.returncode == 0, first.stderr
    vendor.assert_loaded(warehouse, server)
    # a CI runner starts with no pipelines dir: dlt restores the state kept in the warehouse
    shutil.rmtree(tmp_path / "pipelines")
    vendor.advance(server, 24 * 3600)
    summary = tmp_path / "s.json"
    second = run_cli(tmp_path, env, "--destination", "postgres", "--json-summary", str(summary),
                     vendor=vendor.name)  # fmt: skip
    assert second.returncode == 0, second.stderr
    vendor.assert_loaded(warehouse, server)
    # incremental, not a second backfill: only what changed since the restored mark was read
    written = json.loads(summary.read_text())
    assert 0 < written["rows"][vendor.harness.counted] < 1200
    dsn = warehouse.dsn.split("@", 1)[1]  # host:port/database, after the user and password
    assert written["location"] == dsn and warehouse.dsn.split("@")[0] not in summary.read_text()


def test_the_filesystem_destination_writes_parquet_that_reads_back_exactly(
    vendor: VendorUnderTest, tmp_path: Path
) -> None:
    server = vendor.start(1000)
    lake = ParquetLake(tmp_path / "lake", vendor.harness.tables, vendor.name)
    env = vendor.env(server, tmp_path) | {
        "DESTINATION__FILESYSTEM__BUCKET_URL": str(tmp_path / "lake")
    }
    assert run_cli(tmp_path, env, "--destination", "filesystem", vendor=vendor.name).returncode == 0
    vendor.assert_loaded(lake, server)
    vendor.advance(server, 24 * 3600)
    second = run_cli(tmp_path, env, "--destination", "filesystem", vendor=vendor.name)
    assert second.returncode == 0, second.stderr
    vendor.assert_loaded(lake, server)
    files = lake.files(vendor.harness.counted)
    assert len(files) == 2  # one per load: the increment is appended, not rewritten
    first_load = pq.read_table(files[0])
    assert first_load.num_rows == 1000 and "_dlt_load_id" in first_load.column_names


@pytest.mark.parametrize(
    ("destination", "needle"),
    [
        ("postgres", "set DESTINATION__POSTGRES__CREDENTIALS"),
        ("filesystem", "set DESTINATION__FILESYSTEM__BUCKET_URL"),
        ("warehouse9000", "Unknown destination 'warehouse9000'"),
    ],
)
def test_an_unconfigured_destination_is_one_line_and_exit_2(
    vendor: VendorUnderTest, tmp_path: Path, destination: str, needle: str
) -> None:
    server = vendor.start(100)
    env = vendor.env(server, tmp_path)
    result = run_cli(tmp_path, env, "--destination", destination, vendor=vendor.name)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr


def test_a_warehouse_password_never_reaches_the_output(
    vendor: VendorUnderTest, tmp_path: Path
) -> None:
    server = vendor.start(100)
    dsn = "postgresql://loader:s3cret-pw-0192@127.0.0.1:1/warehouse"  # nothing listens on port 1
    env = vendor.env(server, tmp_path) | {"DESTINATION__POSTGRES__CREDENTIALS": dsn}
    result = run_cli(tmp_path, env, "--destination", "postgres", vendor=vendor.name)
    assert result.returncode == 3 and "Connection refused" in result.stderr  # down: retry
    assert "check DESTINATION__POSTGRES__CREDENTIALS" in result.stderr
    assert "s3cret-pw-0192" not in result.stdout + result.stderr
