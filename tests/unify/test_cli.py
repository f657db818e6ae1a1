"""The pipeline CLI as a scheduler runs it: exit codes, one-line errors, kills, secrets."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from sandbox.unify import FaultConfig
from tests.support.cli import BUILDS_MODELS, ROOT, cli, files_containing, kill_then_rerun, run_cli
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.environment import cli_env
from tests.unify.truth import assert_matches_truth


def test_a_run_exits_0_and_loads_exactly(unify, tmp_path):
    server = unify(enrollments=700)
    result = run_cli(tmp_path, cli_env(server.base_url, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "enrollments" in result.stdout and "requests" in result.stdout
    assert_matches_truth(str(tmp_path / "warehouse.duckdb"), server.state)


def test_a_wrong_key_is_one_clear_line_exit_2_nothing_loaded_key_never_shown(unify, tmp_path):
    server = unify(enrollments=300)
    secret = "sk-live-WRONG-0123456789abcdef"
    result = run_cli(tmp_path, cli_env(server.base_url, tmp_path, api_key=secret))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[-1]] and lines[-1].startswith("error: Unify rejected the API key")
    assert "SOURCES__UNIFY__API_KEY" in lines[-1]
    assert secret not in result.stdout + result.stderr
    database = tmp_path / "warehouse.duckdb"
    if database.exists():
        with duckdb.connect(str(database), read_only=True) as con:
            tables = con.sql("select table_name from information_schema.tables").fetchall()
        assert ("enrollments",) not in tables
    assert files_containing(tmp_path, secret) == []


def test_the_key_never_reaches_state_trace_or_output_on_success(unify, tmp_path):
    server = unify(enrollments=300, api_keys=frozenset({"sk-live-GOOD-fedcba9876543210"}))
    env = cli_env(server.base_url, tmp_path, api_key="sk-live-GOOD-fedcba9876543210")
    result = run_cli(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert "sk-live-GOOD" not in result.stdout + result.stderr
    assert files_containing(tmp_path, "sk-live-GOOD-fedcba9876543210") == []


@pytest.mark.parametrize(
    ("env_change", "needle"),
    [
        ({"SOURCES__UNIFY__API_KEY": None}, "SOURCES__UNIFY__API_KEY"),
        ({"SOURCES__UNIFY__BASE_URL": "ftp://nowhere"}, "SOURCES__UNIFY__BASE_URL"),
        ({"SOURCES__UNIFY__LOOKBACK_SECONDS": "-5"}, "LOOKBACK_SECONDS"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(unify, tmp_path, env_change, needle):
    server = unify(enrollments=100)
    env = cli_env(server.base_url, tmp_path)
    for key, value in env_change.items():
        env.pop(key) if value is None else env.__setitem__(key, value)
    result = run_cli(tmp_path, env)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr


def test_bad_since_is_refused_naming_the_flag_or_the_setting_that_was_used(unify, tmp_path):
    server = unify(enrollments=100)
    env = cli_env(server.base_url, tmp_path)
    result = run_cli(tmp_path, env, "--since", "last tuesday")
    assert result.returncode == 2 and "argument --since" in result.stderr
    configured = run_cli(tmp_path, env | {"SOURCES__UNIFY__INITIAL_UPDATED_AFTER": "last tuesday"})
    assert configured.returncode == 2 and "initial_updated_after" in configured.stderr


def test_an_api_that_stays_down_exits_3_and_leaves_state_untouched(unify, tmp_path):
    server = unify(enrollments=500)
    env = cli_env(server.base_url, tmp_path) | {"SOURCES__UNIFY__MAX_ATTEMPTS": "3"}
    assert run_cli(tmp_path, env).returncode == 0
    server.state.advance(48 * 3600)
    server.sandbox.faults.configure(FaultConfig(server_error=1.0))
    down = run_cli(tmp_path, env)
    assert down.returncode == 3, down.stderr
    last = down.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: Unify API at {server.base_url} unavailable")
    assert "try again" in last
    server.sandbox.faults.configure(FaultConfig())
    assert run_cli(tmp_path, env).returncode == 0
    assert_matches_truth(str(tmp_path / "warehouse.duckdb"), server.state)


def test_a_kill_at_a_random_point_then_a_rerun_is_exact(unify, tmp_path):
    server = unify(enrollments=20_000, faults=FaultConfig(latency_ms=15))
    kill_then_rerun(
        tmp_path, cli_env(server.base_url, tmp_path), "unify", delays=(0.5, 4.0),
        move_on=lambda: server.state.advance(6 * 3600),
        check=lambda: assert_matches_truth(str(tmp_path / "warehouse.duckdb"), server.state),
        seed=int(os.environ.get("KILL_SEED", "7")),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ([], ["load", "unify"]),
        (
            ["--destination", "postgres", "--quiet"],
            ["load", "unify", "--destination", "postgres", "--quiet"],
        ),
        (
            ["--quiet", "--pipelines-dir", "p", "report"],
            ["report", "unify", "--quiet", "--pipelines-dir", "p"],
        ),
        (["report", "--demo"], ["report", "unify", "--demo"]),
        (["--demo"], ["demo"]),
        (["--dataset-name", "report"], ["load", "unify", "--dataset-name", "report"]),
    ],
)
def test_the_old_command_line_means_the_same_as_before(old, new):
    from pipelines.unify_pipeline import translate

    assert translate(old) == new


def test_the_console_script_and_the_old_module_both_load(unify, tmp_path):
    server = unify(enrollments=400)
    env = cli_env(server.base_url, tmp_path)
    script = Path(sys.executable).with_name("sequence-funnel")
    for args in (["--help"], ["load", "unify", "--help"], ["--version"]):
        shown = subprocess.run([str(script), *args], env=env, capture_output=True, text=True)
        assert shown.returncode == 0 and "sequence-funnel" in shown.stdout, shown.stderr
    pipelines_dir = str(tmp_path / "pipelines")
    new = subprocess.run([str(script), "load", "unify", "--quiet", "--pipelines-dir", pipelines_dir],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert new.returncode == 0, new.stderr
    assert_matches_truth(str(tmp_path / "warehouse.duckdb"), server.state)
    assert server.state.advance(3 * 86400) > 0
    old = subprocess.run([sys.executable, "-m", "pipelines.unify_pipeline", "--quiet",
                          "--pipelines-dir", pipelines_dir], cwd=ROOT, env=env | BUILDS_MODELS,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert old.returncode == 0, old.stderr
    assert "enrollments" in old.stdout  # the increment, through the same pipeline
    assert_matches_truth(str(tmp_path / "warehouse.duckdb"), server.state)
    report = subprocess.run([sys.executable, "-m", "pipelines.unify_pipeline", "--pipelines-dir",
                             pipelines_dir, "report"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert report.returncode == 0 and report.stdout.startswith("sequence"), report.stderr


def test_the_duckdb_file_is_in_each_runs_working_directory_and_the_summary_names_it(
    unify, tmp_path
):
    """Not where the pipeline's first run was: run from a, then from b, and b gets its file."""
    server = unify(enrollments=200)
    env = cli_env(server.base_url, tmp_path)
    del env["DESTINATION__DUCKDB__CREDENTIALS"]  # the default: sequence_funnel.duckdb, here
    for name in ("a", "b"):
        where = tmp_path / name
        where.mkdir()
        result = subprocess.run(cli(tmp_path), cwd=where, env=env, capture_output=True,
                                text=True, timeout=300)  # fmt: skip
        assert result.returncode == 0, result.stderr
        database = where / "sequence_funnel.duckdb"
        assert database.is_file()
        assert f"Loaded into duckdb {database}, dataset 'unify':" in result.stdout


@pytest.mark.parametrize(
    ("setting", "value", "code"),
    [("SOURCES__UNIFY__API_KEY", "not-the-key", 2), ("SOURCES__UNIFY__BASE_URL", "closed", 3)],
)
def test_a_failed_first_run_leaves_no_database_file_and_no_pipeline_directory(
    unify, tmp_path, setting, value, code
):
    server = unify(enrollments=100)
    env = cli_env(server.base_url, tmp_path) | {
        "SOURCES__UNIFY__MAX_ATTEMPTS": "2", "SOURCES__UNIFY__BACKOFF_INITIAL": "0.01",
    }  # fmt: skip
    if value == "closed":
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            value = f"http://127.0.0.1:{probe.getsockname()[1]}/sequences/v1"
    result = run_cli(tmp_path, env | {setting: value})
    assert result.returncode == code, result.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()
    assert not (tmp_path / "pipelines" / "unify").exists()
    assert run_cli(tmp_path, env).returncode == 0  # and the next run starts clean
    assert_matches_truth(DuckDBWarehouse(tmp_path / "warehouse.duckdb"), server.state)


def test_since_is_checked_as_the_flag_and_said_to_be_ignored_after_the_first_load(unify, tmp_path):
    server = unify(enrollments=200)
    env = cli_env(server.base_url, tmp_path)
    bad = run_cli(tmp_path, env, "--since", "notadate")
    assert bad.returncode == 2 and "argument --since: 'notadate' is not a date" in bad.stderr
    assert "initial_updated_after" not in bad.stderr
    first = run_cli(tmp_path, env, "--since", "2020-01-01")
    assert first.returncode == 0 and "--since" not in first.stderr, first.stderr
    again = run_cli(tmp_path, env, "--since", "2026-01-01")
    assert again.returncode == 0, again.stderr
    warned = [line for line in again.stderr.splitlines() if "--since" in line]
    assert len(warned) == 1 and "first load only" in warned[0] and "--full-refresh" in warned[0]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("case", ["base path", "closed port", "dsn", "duckdb directory"])
def test_each_misconfiguration_is_one_line_naming_the_setting_and_the_address(
    unify, tmp_path, case
):
    server = unify(enrollments=100)
    env = cli_env(server.base_url, tmp_path) | {
        "SOURCES__UNIFY__MAX_ATTEMPTS": "2", "SOURCES__UNIFY__BACKOFF_INITIAL": "0.01",
    }  # fmt: skip
    args: list[str] = []
    port = _closed_port()
    expected = {
        "base path": (2, ["SOURCES__UNIFY__BASE_URL", "/sequence/v1/sequences not found"]),
        "closed port": (3, ["SOURCES__UNIFY__BASE_URL", f"127.0.0.1:{port}", "try again later"]),
        "dsn": (2, ["DESTINATION__POSTGRES__CREDENTIALS", "postgresql://user:password@host"]),
        "duckdb directory": (2, [str(tmp_path / "missing"), "create"]),
    }[case]
    if case == "base path":
        env["SOURCES__UNIFY__BASE_URL"] = server.base_url.replace("/sequences/v1", "/sequence/v1")
    elif case == "closed port":
        env["SOURCES__UNIFY__BASE_URL"] = f"http://127.0.0.1:{port}/sequences/v1"
    elif case == "dsn":
        env["DESTINATION__POSTGRES__CREDENTIALS"] = "postgresql://u:pw-0192@127.0.0.1:notaport/x"
        args = ["--destination", "postgres"]
    else:
        env["DESTINATION__DUCKDB__CREDENTIALS"] = str(tmp_path / "missing" / "w.duckdb")
    result = run_cli(tmp_path, env, *args)
    code, needles = expected
    assert result.returncode == code, result.stderr
    lines = [x for x in result.stderr.splitlines() if not x.startswith("WARNING")]  # retries
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert all(n in lines[0] for n in needles), lines[0]
    assert "pw-0192" not in result.stdout + result.stderr
    assert server.sandbox.faults.stats["requests"] == 0 or case in ("base path", "closed port")


def test_progress_off_a_terminal_is_a_line_a_period_with_the_bulk_total_and_not_dlts_block(
    unify, tmp_path
):
    server = unify(enrollments=3000, faults=FaultConfig(latency_ms=30))
    env = cli_env(server.base_url, tmp_path) | {
        "SEQUENCE_FUNNEL_PROGRESS_SECONDS": "0.2", "SOURCES__UNIFY__BACKFILL": "bulk",
        "SOURCES__UNIFY__QUERY_JOB_POLL_SECONDS": "0.05",
    }  # fmt: skip
    argv = [a for a in cli(tmp_path) if a != "--quiet"]
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = [x for x in result.stderr.splitlines() if "progress: " in x]
    assert lines, result.stderr
    assert all(x.startswith("INFO sequence_funnel.progress: progress: ") for x in lines)
    assert any("of 3,000 rows" in x for x in lines)  # the query job's total_rows
    shares = [int(share) for x in lines for share in re.findall(r"\((\d+) %\)", x)]
    assert shares and max(shares) <= 100
    assert "Resources:" not in result.stderr and "Jobs:" not in result.stderr  # dlt's collector


def test_a_missing_key_is_named_as_documented_after_a_pipeline_ran_in_the_process(unify, tmp_path):
    """As a run's later workspace meets it: dlt then looks under the pipeline's name first."""
    server = unify(enrollments=50)
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env).returncode == 0  # in this process: its pipeline is active
    keyless = {k: v for k, v in env.items() if k != "SOURCES__UNIFY__API_KEY"}
    result = run_cli(tmp_path, keyless)
    assert result.returncode == 2, result.stderr
    assert "Missing api_key: set SOURCES__UNIFY__API_KEY (" in result.stderr, result.stderr
