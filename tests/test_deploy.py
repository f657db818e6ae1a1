"""The deploy/ recipes, run for real against the sandbox: the cron line, the GitHub Actions
workflow's load step, and the Dagster definitions."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from sandbox.unify import DEFAULT_API_KEY
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.environment import cli_env
from tests.unify.truth import assert_matches_truth

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def _valid_cron(expression: str) -> bool:
    fields = expression.split()
    return len(fields) == 5 and all(CRON_FIELD.match(f) for f in fields)


def test_the_cron_line_runs_the_load_and_leaves_a_summary_and_a_log(unify, tmp_path):
    lines = [
        line for line in (DEPLOY / "cron" / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]  # fmt: skip
    assert len(lines) == 1
    fields = lines[0].split(maxsplit=5)
    assert _valid_cron(" ".join(fields[:5])), fields[:5]
    # the command as cron would run it, with this checkout and a temp dir for its paths
    command = (
        fields[5].replace("/opt/sequence-funnel", str(ROOT))
        .replace("/var/log/sequence-funnel", str(tmp_path / "log"))
        .replace(".venv/bin/python", sys.executable)
    )  # fmt: skip
    (tmp_path / "log").mkdir()
    server = unify(enrollments=500)
    env = cli_env(server.base_url, tmp_path) | {"DLT_DATA_DIR": str(tmp_path / "dlt")}
    result = subprocess.run(["/bin/sh", "-c", command], env=env, timeout=300)
    assert result.returncode == 0, (tmp_path / "log" / "unify.log").read_text()
    summary = json.loads((tmp_path / "log" / "unify-last-run.json").read_text())
    assert summary["status"] == "ok" and summary["rows"]["enrollments"] == 500
    assert "enrollments" in (tmp_path / "log" / "unify.log").read_text()
    assert_matches_truth(DuckDBWarehouse(tmp_path / "warehouse.duckdb"), server.state)


def _workflow() -> dict:
    workflow = yaml.safe_load((DEPLOY / "github-actions" / "unify-load.yml").read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as true
    return workflow


def _load_step(workflow: dict) -> dict:
    steps = workflow["jobs"]["load"]["steps"]
    return next(s for s in steps if "pipelines.unify_pipeline" in s.get("run", ""))


def test_the_github_workflow_is_scheduled_serialised_and_takes_secrets_from_the_environment():
    workflow = _workflow()
    assert all(_valid_cron(s["cron"]) for s in workflow["on"]["schedule"])
    assert workflow["concurrency"]["cancel-in-progress"] is False
    step = _load_step(workflow)
    secrets = {k: v for k, v in step["env"].items() if "KEY" in k or "CREDENTIALS" in k}
    assert set(secrets) == {"SOURCES__UNIFY__API_KEY", "DESTINATION__POSTGRES__CREDENTIALS"}
    assert all(re.fullmatch(r"\$\{\{ secrets\.\w+ \}\}", v) for v in secrets.values())


def test_the_github_workflow_load_step_runs_twice_on_fresh_runners_into_postgres(
    unify, tmp_path, postgres_database
):
    """Each run starts from an empty checkout: state comes back from the warehouse."""
    step = _load_step(_workflow())
    command = step["run"].replace(".venv/bin/python", sys.executable)
    server = unify(enrollments=800)
    warehouse = postgres_database
    env = cli_env(server.base_url, tmp_path) | {
        "SOURCES__UNIFY__API_KEY": DEFAULT_API_KEY,
        "DESTINATION__POSTGRES__CREDENTIALS": warehouse.dsn,
    }
    for run in range(2):
        runner_dir = tmp_path / f"runner{run}"  # a new, empty work dir each time
        runner_dir.mkdir()
        result = subprocess.run(["/bin/sh", "-c", command], cwd=runner_dir, env=env,
                                capture_output=True, text=True, timeout=300)  # fmt: skip
        assert result.returncode == 0, result.stderr
        summary = json.loads((runner_dir / "run-summary.json").read_text())
        assert_matches_truth(warehouse, server.state)
        server.state.advance(12 * 3600)
    assert 0 < summary["rows"]["enrollments"] < 800  # the second run was incremental


def _load_dagster_definitions(name: str):
    spec = importlib.util.spec_from_file_location(name, DEPLOY / "dagster" / "definitions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dagster_definitions_load_without_a_key_and_materialise_the_load(
    unify, tmp_path, monkeypatch
):
    import dagster as dg
    from dagster_dlt import DagsterDltResource

    server = unify(enrollments=600)
    for key, value in cli_env(server.base_url, tmp_path).items():
        if key.startswith(("SOURCES__", "DESTINATION__")):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("SEQUENCE_FUNNEL_PIPELINES_DIR", str(tmp_path / "pipelines"))
    monkeypatch.delenv("SOURCES__UNIFY__API_KEY")
    module = _load_dagster_definitions("unify_definitions_no_key")  # loads with no secret
    schedule = module.defs.resolve_schedule_def("unify_load_schedule")
    assert _valid_cron(schedule.cron_schedule)

    monkeypatch.setenv("SOURCES__UNIFY__API_KEY", DEFAULT_API_KEY)
    result = dg.materialize([module.unify_assets], resources={"dlt": DagsterDltResource()})
    assert result.success
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    assert_matches_truth(warehouse, server.state)
    assert warehouse.rows("select sum(enrolled) from unify.funnel_by_sequence")[0][0] > 0
