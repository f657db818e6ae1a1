"""The CLI into real warehouses, configured the way users configure them: PostgreSQL on a
server, parquet files on a filesystem."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from tests.support.cli import run_cli
from tests.support.warehouses import ParquetLake
from tests.unify.environment import cli_env
from tests.unify.truth import assert_matches_truth


def test_the_cli_loads_postgres_and_a_fresh_runner_resumes_from_its_state(
    unify, tmp_path, postgres_database
):
    server = unify(enrollments=1200)
    warehouse = postgres_database
    env = cli_env(server.base_url, tmp_path) | {"DESTINATION__POSTGRES__CREDENTIALS": warehouse.dsn}
    first = run_cli(tmp_path, env, "--destination", "postgres")
    assert first.returncode == 0, first.stderr
    assert_matches_truth(warehouse, server.state)
    # a CI runner starts with no pipelines dir: dlt restores the state kept in the warehouse
    shutil.rmtree(tmp_path / "pipelines")
    server.state.advance(24 * 3600)
    second = run_cli(
        tmp_path, env, "--destination", "postgres", "--json-summary", str(tmp_path / "s.json")
    )
    assert second.returncode == 0, second.stderr
    assert_matches_truth(warehouse, server.state)
    # incremental, not a second backfill: only what changed since the restored mark was read
    changed = json.loads((tmp_path / "s.json").read_text())["rows"]["enrollments"]
    assert 0 < changed < 1200


def test_the_filesystem_destination_writes_parquet_that_reads_back_exactly(unify, tmp_path):
    server = unify(enrollments=1000)
    lake = ParquetLake(tmp_path / "lake")
    env = cli_env(server.base_url, tmp_path) | {
        "DESTINATION__FILESYSTEM__BUCKET_URL": str(tmp_path / "lake")
    }
    assert run_cli(tmp_path, env, "--destination", "filesystem").returncode == 0
    assert_matches_truth(lake, server.state)
    server.state.advance(24 * 3600)
    second = run_cli(tmp_path, env, "--destination", "filesystem")
    assert second.returncode == 0, second.stderr
    assert_matches_truth(lake, server.state)
    files = lake.files("enrollments")
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
def test_an_unconfigured_destination_is_one_line_and_exit_2(unify, tmp_path, destination, needle):
    server = unify(enrollments=100)
    result = run_cli(tmp_path, cli_env(server.base_url, tmp_path), "--destination", destination)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr


def test_a_warehouse_password_never_reaches_the_output(unify, tmp_path):
    server = unify(enrollments=100)
    dsn = "postgresql://loader:s3cret-pw-0192@127.0.0.1:1/warehouse"  # nothing listens on port 1
    env = cli_env(server.base_url, tmp_path) | {"DESTINATION__POSTGRES__CREDENTIALS": dsn}
    result = run_cli(tmp_path, env, "--destination", "postgres")
    assert result.returncode == 1 and "Connection refused" in result.stderr
    assert "s3cret-pw-0192" not in result.stdout + result.stderr
