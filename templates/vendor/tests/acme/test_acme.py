"""Acme's own tests: a load equals the sandbox's world, and again after activity."""

from __future__ import annotations

from pathlib import Path

from tests.acme.environment import cli_env
from tests.acme.truth import assert_matches_truth
from tests.support.cli import run_cli
from tests.support.warehouses import DuckDBWarehouse


def test_a_load_and_an_increment_equal_the_world(acme, tmp_path: Path) -> None:
    server = acme(300)
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env, vendor="acme").returncode == 0
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    assert_matches_truth(warehouse, server.state)
    server.state.advance(3600)
    assert run_cli(tmp_path, env, vendor="acme").returncode == 0
    assert_matches_truth(warehouse, server.state)
