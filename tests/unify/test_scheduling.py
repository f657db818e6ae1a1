"""What a scheduler relies on: one run at a time, interrupted loads finished, a JSON summary."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines import runner, turns
from sandbox.unify import DEFAULT_API_KEY, FaultConfig
from sources import unify as unify_source_module
from tests.support.cli import BUILDS_MODELS, ROOT, cli, run_cli
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.environment import cli_env
from tests.unify.truth import assert_matches_truth


def _requests_served(server) -> int:
    return server.sandbox.faults.stats["requests"]


def test_a_second_run_while_one_is_running_refuses_and_the_first_is_unharmed(unify, tmp_path):
    server = unify(enrollments=6000, faults=FaultConfig(latency_ms=50))
    env = cli_env(server.base_url, tmp_path) | {"SOURCES__UNIFY__CONCURRENCY": "2"}
    first = subprocess.Popen(cli(tmp_path), cwd=ROOT, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while _requests_served(server) == 0:  # requests start only once the lock is held
            assert time.monotonic() < deadline and first.poll() is None, first.stderr
            time.sleep(0.05)
        # hold the first run mid-extraction while the second one starts (imports take seconds)
        server.sandbox.faults.configure(FaultConfig(latency_ms=1500))
        second = run_cli(tmp_path, env)
        assert first.poll() is None, "the first run ended before the second one started"
    finally:
        server.sandbox.faults.configure(FaultConfig())
        _, err = first.communicate(timeout=300)
    assert second.returncode == 4, second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Another run of pipeline 'unify'")
    assert second.stdout == ""
    assert first.returncode == 0, err
    assert_matches_truth(DuckDBWarehouse(tmp_path / "warehouse.duckdb"), server.state)
    assert run_cli(tmp_path, env).returncode == 0  # the lock was released


READER = """
import duckdb, sys, time
connection = duckdb.connect(sys.argv[1], read_only=True)  # a notebook left open
print("open", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_reader_holding_the_duckdb_file_is_named_exit_4_and_wait_outlasts_it(unify, tmp_path):
    server = unify(enrollments=300)
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env).returncode == 0
    database = tmp_path / "warehouse.duckdb"
    server.state.advance(3600)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(database), "3"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "open\n"
        before = _requests_served(server)
        busy = run_cli(tmp_path, env)
        assert busy.returncode == 4, busy.stderr
        assert _requests_served(server) == before  # it did nothing
        lines = busy.stderr.strip().splitlines()
        assert len(lines) == 1 and str(database) in lines[0] and f"PID {reader.pid}" in lines[0]
        assert "--wait" in lines[0]
        waited = run_cli(tmp_path, env, "--wait", "60")  # the reader closes after 3 s
        assert waited.returncode == 0, waited.stderr
    finally:
        reader.wait(timeout=60)
    assert_matches_truth(DuckDBWarehouse(database), server.state)


@pytest.mark.parametrize("command", ["load", "report", "act"])
def test_a_run_waiting_for_its_turn_on_the_duckdb_file_leaves_the_file_alone_meanwhile(
    unify, tmp_path, command
):
    """While another run of ours holds the file's turn, a waiting run does not open the file:
    opened between two of the writer's connections, it took DuckDB's lock and failed the writer
    (a parallel load of 20 workspaces lost five that way)."""
    server = unify(enrollments=300)
    env = cli_env(server.base_url, tmp_path) | BUILDS_MODELS
    assert run_cli(tmp_path, env).returncode == 0
    database = str(tmp_path / "warehouse.duckdb")
    args = {"act": ("pause-enrollment", "--select", "select id from unify.enrollments limit 1")}
    with turns.duckdb_turn(database):  # a load of ours, writing
        waiting = subprocess.Popen(
            cli(tmp_path, *args.get(command, ()), "--wait", "120", command=command),
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert waiting.stderr is not None
        first = waiting.stderr.readline()
        assert first.startswith(
            f"waiting up to 120 s for another run using the DuckDB file {database}"
        )
        for _ in range(40):  # the writer's connections come and go, as a dlt load's do
            duckdb.connect(database).close()
            time.sleep(0.05)
    _, rest = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, rest
    assert rest.splitlines()[0].startswith(f"the DuckDB file {database} is free after")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_leaves_a_summary_and_exit_128_plus_it_and_the_rerun_is_exact(
    unify, tmp_path, signum, code
):
    """What a scheduler's timeout sends: the run says so, and the next one loses nothing."""
    server = unify(enrollments=6000, faults=FaultConfig(latency_ms=40))
    env = cli_env(server.base_url, tmp_path) | {"SOURCES__UNIFY__CONCURRENCY": "2"}
    summary = tmp_path / "summary.json"
    run = subprocess.Popen(cli(tmp_path, "--json-summary", str(summary)), cwd=ROOT, env=env,
                           text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while _requests_served(server) < 10:  # well into the extraction
        assert time.monotonic() < deadline and run.poll() is None, run.communicate()
        time.sleep(0.02)
    run.send_signal(signum)
    out, err = run.communicate(timeout=120)
    assert "Loaded into" not in out
    assert run.returncode == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: interrupted by {signal.Signals(signum).name}")
    written = json.loads(summary.read_text())
    assert written["status"] == "interrupted" and written["exit_code"] == code
    assert written["requests"] >= 10
    server.sandbox.faults.configure(FaultConfig())
    rerun = run_cli(tmp_path, env)
    assert rerun.returncode == 0, rerun.stderr
    assert_matches_truth(DuckDBWarehouse(tmp_path / "warehouse.duckdb"), server.state)


@pytest.mark.parametrize("crashed_after", ["extract", "normalize", "normalize, deleting"])
def test_a_load_left_by_a_crashed_run_is_completed_then_new_data_extracted(
    unify, loader, warehouse, crashed_after
):
    server = unify(enrollments=1500)
    load = loader(server.base_url, warehouse)
    load.run()
    server.state.advance(12 * 3600)
    # a run that dies after extracting (or normalising) the changes, before loading them
    pipeline = load.pipeline()
    with runner.load_config():  # as the runner had extracted it
        pipeline.extract(unify_source_module.unify_source(
            api_key=DEFAULT_API_KEY, base_url=server.base_url), loader_file_format="parquet"
        )  # fmt: skip
        if crashed_after.startswith("normalize"):
            pipeline.normalize()
    if crashed_after == "normalize, deleting":  # killed while dlt deleted the extracted package
        (load_id,) = pipeline.list_normalized_load_packages()
        remnant = Path(pipeline.working_dir) / "normalize" / "extracted" / load_id
        remnant.mkdir(parents=True)
        (remnant / "load_package_state.json").write_text("{}")  # its new_jobs already gone
        assert pipeline.list_extracted_load_packages() == [load_id]
    assert load.pipeline().has_pending_data
    changed_later = server.state.advance(12 * 3600)
    assert changed_later > 0
    summary = load.run()
    # the changes made after the crash are in too: the same invocation extracted them
    assert_matches_truth(load.warehouse, server.state)
    assert summary.completed_pending_packages == 1
    assert not load.pipeline().has_pending_data
    assert load.pipeline().list_extracted_load_packages() == []


def test_the_json_summary_reports_a_run_and_a_failure(unify, tmp_path):
    server = unify(enrollments=400)
    path = tmp_path / "monitor" / "last-run.json"
    ok = run_cli(tmp_path, cli_env(server.base_url, tmp_path), "--json-summary", str(path))
    assert ok.returncode == 0, ok.stderr
    report = json.loads(path.read_text())
    assert report["status"] == "ok" and report["exit_code"] == 0 and report["error"] is None
    assert report["rows"]["enrollments"] == 400 and report["requests"] >= 2
    assert report["pipeline"] == "unify" and report["dataset"] == "unify"
    assert report["seconds"] > 0 and len(report["load_ids"]) == 1
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    for table in report["rows"]:  # what each table holds, beside what the run loaded into it
        stored = warehouse.rows(f"select count(*) from unify.{table}")[0][0]
        assert report["stored"][table] == stored <= report["rows"][table], table
    printed = dict(line.split()[:2] for line in ok.stdout.splitlines()[2:-1])
    assert printed["enrollments"] == "400" and ok.stdout.splitlines()[1].split()[:3] == [
        "table",
        "rows",
        "loaded",
    ]
    assert ok.stdout.rstrip().endswith("0 retries") and " 1 requests" not in ok.stdout

    secret = "sk-live-WRONG-0123456789abcdef"
    env = cli_env(server.base_url, tmp_path, api_key=secret)
    bad = run_cli(tmp_path, env, "--json-summary", str(path))
    assert bad.returncode == 2
    report = json.loads(path.read_text())
    assert report["status"] == "failed" and report["exit_code"] == 2
    assert (
        report["error"].startswith("Unify rejected the API key") and secret not in path.read_text()
    )
    assert report["requests"] == 1 and report["rows"] == {}
    assert list(path.parent.iterdir()) == [path]  # no partial file left behind


# Another run of ours, as its command line reads: the console script, holding the file open
OUR_WRITER = """
import duckdb, sys, time
connection = duckdb.connect(sys.argv[2])  # as a load writing it does
print("open", flush=True)
sys.stdin.readline()  # held until the test lets go
"""


def test_report_and_act_name_the_run_holding_the_file_exit_4_and_wait_with_a_line_each_way(
    unify, tmp_path
):
    server = unify(enrollments=300)
    env = cli_env(server.base_url, tmp_path) | BUILDS_MODELS
    assert run_cli(tmp_path, env).returncode == 0
    database = tmp_path / "warehouse.duckdb"
    script = tmp_path / "bin" / "sequence-funnel"
    script.parent.mkdir()
    script.write_text(OUR_WRITER)
    writer = subprocess.Popen([sys.executable, str(script), "load", str(database)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "open\n"
        select = "select id from unify.enrollments limit 2"
        report = run_cli(tmp_path, env, command="report")
        act = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "act", "unify", "pause-enrollment",
             "--select", select], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        for refused in (report, act):
            assert refused.returncode == 4, refused.stderr
            (line,) = refused.stderr.strip().splitlines()
            assert line == (
                f"error: The DuckDB file {database} is open in another sequence-funnel run"
                f" (PID {writer.pid}, `sequence-funnel load {database}`); this run did nothing:"
                " let it finish, add --wait SECONDS, or schedule runs apart"
            )
        waiting = subprocess.Popen(cli(tmp_path, "--wait", "60", command="report"), cwd=ROOT,
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)  # fmt: skip
        assert waiting.stderr is not None
        first = waiting.stderr.readline()  # said as the wait starts
        assert first.startswith(f"waiting up to 60 s for the DuckDB file {database}: open in")
        assert writer.stdin is not None
        writer.stdin.close()  # the run holding it ends
        out, rest = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, rest
        assert rest.strip().splitlines()[-1].startswith(f"the DuckDB file {database} is free after")
        assert "total (people per sequence)" in out
    finally:
        if writer.stdin is not None and not writer.stdin.closed:
            writer.stdin.close()
        writer.wait(timeout=60)
