"""A load that builds the funnel models, SIGKILLed at points spread over a first load (its
extract, normalise and load steps, the build's start, middle and end): no process of the project
is left running (an orphaned dbt would hold the DuckDB file, and the next run would fail on its
lock), and an ordinary rerun exits 0, loads exactly and leaves the models built."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from sandbox.unify import FaultConfig
from tests.support.cli import BUILDS_MODELS, ROOT, cli, kill_when, run_cli
from tests.unify.environment import cli_env
from tests.unify.truth import assert_matches_truth


def _any(root: Path, pattern: str) -> bool:
    return any(root.glob(pattern))


def _extracting(working_dir: Path) -> bool:
    """A package being extracted: dlt writes it in a folder of its own under normalize/, and
    moves it to normalize/extracted/ when the extract ends."""
    packages = working_dir.glob("normalize/*/*/load_package_state.json")
    return any(p.parts[-3] != "extracted" for p in packages)


def _dbt(run_dir: Path, path: str) -> Path:
    """dbt's own files, which it keeps under the pipelines dir."""
    return run_dir / "pipelines" / "funnel" / "dbt" / path


def _dbt_began(run_dir: Path, nodes: int) -> bool:
    """dbt has begun its `nodes`th node (its own log)."""
    log = _dbt(run_dir, "logs/dbt.log")
    return log.is_file() and log.read_text(errors="replace").count("Began running node") >= nodes


# Where a kill lands, in a first load's order: each is reached when a later one is (a step
# that passes between two polls is killed at the next one's point).
POINTS: dict[str, Callable[[Path], bool]] = {
    "extract": lambda d: _extracting(d / "pipelines" / "unify"),
    "normalise": lambda d: _any(d / "pipelines" / "unify", "load/new/*/new_jobs/*"),
    "load": lambda d: _any(d / "pipelines" / "unify", "load/normalized/*/started_jobs/*"),
    "build start": lambda d: _dbt(d, "logs/dbt.log").is_file(),
    "build middle": lambda d: _dbt_began(d, 30),
    "build end": lambda d: _dbt(d, "target/run_results.json").is_file(),
}


def _reached(point: str, run_dir: Path) -> bool:
    later = list(POINTS)[list(POINTS).index(point) :]
    return any(POINTS[p](run_dir) for p in later)


def ours(run_dir: Path) -> list[psutil.Process]:
    """Processes of the project's still alive for this run: their command line or environment
    names the run's directory (its --pipelines-dir, its warehouse), whoever started them."""
    found = []
    for process in psutil.process_iter(["cmdline", "environ", "status"]):
        named = " ".join(process.info["cmdline"] or [])
        named += " ".join((process.info["environ"] or {}).values())
        if str(run_dir) in named and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


def assert_none_left(run_dir: Path, within: float = 3.0) -> None:
    deadline = time.monotonic() + within
    while (left := ours(run_dir)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, [p.info["cmdline"] for p in left]


def assert_models_built(warehouse: Any) -> None:
    """The marts count every enrollment loaded (those checked exact against the world just
    before), and the vendor's report views are there, counting as the marts do."""
    enrolled = warehouse.rows("select count(*) from unify.enrollments")[0][0]
    assert warehouse.rows("select count(*) from funnel.enrollments")[0][0] == enrolled
    view = warehouse.rows("select sum(enrolled) from unify.funnel_by_sequence")[0][0]
    mart = "select sum(enrolled) from funnel.funnel_by_sequence where vendor = 'unify'"
    assert view == warehouse.rows(mart)[0][0] > 0


def killed_at(
    server: Any, run_dir: Path, env: dict[str, str], warehouse: Any, point: str,
    args: tuple[str, ...] = (),
) -> int:  # fmt: skip
    """A first load into a new warehouse, killed at `point`; then the checks. Returns the
    killed load's exit code."""
    env = env | BUILDS_MODELS
    load = subprocess.Popen(cli(run_dir, *args), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    code = kill_when(load, lambda: _reached(point, run_dir), timeout=120)
    assert_none_left(run_dir)
    rerun = run_cli(run_dir, env, *args, process=True)  # the next scheduled run
    assert rerun.returncode == 0, (point, rerun.stderr)
    assert_none_left(run_dir)
    assert_matches_truth(warehouse, server.state)
    assert_models_built(warehouse)
    return code


@pytest.mark.parametrize("point", list(POINTS))
def test_a_load_killed_anywhere_leaves_nothing_running_and_the_rerun_builds(unify, tmp_path, point):
    from tests.support.warehouses import DuckDBWarehouse

    server = unify(enrollments=3000, faults=FaultConfig(latency_ms=10))
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    code = killed_at(server, tmp_path, cli_env(server.base_url, tmp_path), warehouse, point)
    assert code == -9  # the kill landed in a running load (the build's three points among them)


@pytest.mark.parametrize("point", ["build start", "build middle", "build end"])
def test_a_load_into_postgres_killed_in_its_build_leaves_nothing_and_the_rerun_builds(
    unify, tmp_path, postgres_server, point
):
    server = unify(enrollments=800)
    warehouse = postgres_server.new_database()
    env = cli_env(server.base_url, tmp_path) | {"DESTINATION__POSTGRES__CREDENTIALS": warehouse.dsn}
    code = killed_at(server, tmp_path, env, warehouse, point, args=("--destination", "postgres"))
    assert code == -9


def test_a_sigterm_in_the_build_ends_dbt_with_the_run(unify, tmp_path):
    """A scheduler's timeout (SIGTERM) mid-build: the run ends as interrupted (143), its dbt
    with it, and the next run builds."""
    from tests.support.warehouses import DuckDBWarehouse

    server = unify(enrollments=600)
    env = cli_env(server.base_url, tmp_path) | BUILDS_MODELS
    load = subprocess.Popen(cli(tmp_path), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while not _dbt_began(tmp_path, 10):
        assert time.monotonic() < deadline and load.poll() is None, "the build never began"
        time.sleep(0.02)
    load.send_signal(signal.SIGTERM)
    _, stderr = load.communicate(timeout=30)
    assert load.returncode == 143 and "interrupted by SIGTERM" in stderr, stderr
    assert_none_left(tmp_path)
    assert run_cli(tmp_path, env).returncode == 0
    assert_models_built(DuckDBWarehouse(tmp_path / "warehouse.duckdb"))
