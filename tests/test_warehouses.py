"""The CLI into real warehouses, for each vendor, configured the way users configure them:
PostgreSQL on a server, parquet files on a filesystem."""

from __future__ import annotations

import json
import shutil
from contextlib import ExitStack
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from sources.common.vendors import spec
from tests.support.cli import run_cli
from tests.support.harness import VendorUnderTest
from tests.support.lake import s3_store
from tests.support.warehouses import DeltaLake


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


@pytest.mark.parametrize("store", ["folder", "s3"])
def test_the_filesystem_destination_writes_delta_tables_merged_exactly(
    vendor: VendorUnderTest, tmp_path: Path, store: str
) -> None:
    """A first load and a rerun after the world moved on, each read back with the `deltalake`
    reader exact: one row per record, the rerun's rows merged into the same tables (a Delta
    version more), not appended; then deletions, where the vendor's world has them."""
    with ExitStack() as stack:
        if store == "s3":
            bucket = stack.enter_context(s3_store())
            lake = DeltaLake(bucket.url, vendor.harness.tables, vendor.name,
                             bucket.storage_options)  # fmt: skip
            where = bucket.env
        else:
            lake = DeltaLake(tmp_path / "lake", vendor.harness.tables, vendor.name)
            where = {"DESTINATION__FILESYSTEM__BUCKET_URL": str(tmp_path / "lake")}
        server = vendor.start(1000)
        # every listing read each run, so that a deletion shows on the rerun
        due = {f"SOURCES__{vendor.name.upper()}__{f.name.upper()}": "0"
               for f in fields(spec(vendor.name).settings) if f.name.endswith("_refresh_minutes")}  # fmt: skip
        env = vendor.env(server, tmp_path) | where | due
        # on S3, each load in a process of its own, as a schedule runs it: run in this process,
        # beside the S3 server's and the Delta reader's threads, it hung waiting on a lock
        load = partial(run_cli, tmp_path, env, "--destination", "filesystem",
                       vendor=vendor.name, process=store == "s3")  # fmt: skip
        first = load()
        assert first.returncode == 0, first.stderr
        vendor.assert_loaded(lake, server)
        versions = lake.table(vendor.harness.counted).version()
        vendor.advance(server, 24 * 3600)
        server.state.touch(9)
        second = load()
        assert second.returncode == 0, second.stderr
        vendor.assert_loaded(lake, server)
        assert lake.table(vendor.harness.counted).version() > versions  # merged in place
        # deletions, where the vendor's world has them: recorded as the vendor's docs say
        state = server.state
        if hasattr(state, "delete_leads"):  # Instantly: a lead_deletions row per lead gone
            gone = set(state.delete_leads(3))
            query = f"select id from {vendor.name}.lead_deletions"
        elif hasattr(state, "delete_sequence"):  # Unify: the sequence flagged deleted
            state.delete_sequence(0)
            gone = {state.world.sequences[0].id}
            query = f"select id from {vendor.name}.sequences where is_deleted"
        else:
            return
        third = load()
        assert third.returncode == 0, third.stderr
        assert {row[0] for row in lake.rows(query)} == gone


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
