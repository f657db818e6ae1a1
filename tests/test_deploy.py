"""The deploy/ recipes, run for real against each vendor's sandbox: the cron line, the GitHub
Actions workflow's load step, and the Dagster definitions."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.runtime_only import normalized, pins
from sources.common.vendors import spec
from tests.support.cli import run_cli
from tests.support.harness import VendorUnderTest
from tests.support.warehouses import DuckDBWarehouse

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
CONSOLE_SCRIPT = Path(sys.executable).parent / "sequence-funnel"  # what `make setup` installs
CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def _valid_cron(expression: str) -> bool:
    fields = expression.split()
    return len(fields) == 5 and all(CRON_FIELD.match(f) for f in fields)


def test_the_cron_line_runs_the_load_and_leaves_a_summary_and_a_log(
    vendor: VendorUnderTest, tmp_path: Path
) -> None:
    lines = [
        line for line in (DEPLOY / "cron" / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#") and f" load {vendor.name} " in line
    ]  # fmt: skip
    assert len(lines) == 1, f"one crontab line runs `sequence-funnel load {vendor.name}`"
    fields = lines[0].split(maxsplit=5)
    assert _valid_cron(" ".join(fields[:5])), fields[:5]
    # the command as cron would run it, with this checkout and a temp dir for its paths
    command = (
        fields[5].replace("/opt/sequence-funnel", str(ROOT))
        .replace("/var/log/sequence-funnel", str(tmp_path / "log"))
        .replace(".venv/bin/sequence-funnel", str(CONSOLE_SCRIPT))
    )  # fmt: skip
    assert not (tmp_path / "log").exists()  # the line creates its log directory
    server = vendor.start(500)
    env = vendor.env(server, tmp_path) | {"DLT_DATA_DIR": str(tmp_path / "dlt")}
    result = subprocess.run(["/bin/sh", "-c", command], env=env, timeout=300)
    log = (tmp_path / "log" / f"{vendor.name}.log").read_text()
    assert result.returncode == 0, log
    summary = json.loads((tmp_path / "log" / f"{vendor.name}-last-run.json").read_text())
    assert summary["status"] == "ok" and summary["rows"][vendor.harness.counted] == 500
    assert vendor.harness.counted in log
    vendor.assert_loaded(DuckDBWarehouse(tmp_path / "warehouse.duckdb"), server)
    comments = (DEPLOY / "cron" / "crontab").read_text().split("\n*/", 1)[0]
    assert "--destination" not in lines[0] and "sequence_funnel.duckdb" in comments


def _workflow(name: str) -> dict:
    workflow = yaml.safe_load((DEPLOY / "github-actions" / f"{name}-load.yml").read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as true
    return workflow


def _load_step(workflow: dict, name: str) -> dict:
    steps = workflow["jobs"]["load"]["steps"]
    return next(s for s in steps if f"sequence-funnel load {name} " in s.get("run", ""))


def test_the_github_workflow_is_scheduled_serialised_and_takes_secrets_from_the_environment(
    vendor: VendorUnderTest,
) -> None:
    workflow = _workflow(vendor.name)
    assert all(_valid_cron(s["cron"]) for s in workflow["on"]["schedule"])
    assert workflow["concurrency"]["cancel-in-progress"] is False
    step = _load_step(workflow, vendor.name)
    secrets = {k: v for k, v in step["env"].items() if "KEY" in k or "CREDENTIALS" in k}
    assert set(secrets) == {vendor.harness.key_variable, "DESTINATION__POSTGRES__CREDENTIALS"}
    assert all(re.fullmatch(r"\$\{\{ secrets\.\w+ \}\}", v) for v in secrets.values())


def test_the_github_workflow_load_step_runs_twice_on_fresh_runners_into_postgres(
    vendor: VendorUnderTest, tmp_path: Path, postgres_database: Any
) -> None:
    """Each run starts from an empty checkout: state comes back from the warehouse."""
    step = _load_step(_workflow(vendor.name), vendor.name)
    command = step["run"].replace(".venv/bin/sequence-funnel", str(CONSOLE_SCRIPT))
    server = vendor.start(800)
    warehouse = postgres_database
    env = vendor.env(server, tmp_path) | {"DESTINATION__POSTGRES__CREDENTIALS": warehouse.dsn}
    for run in range(2):
        runner_dir = tmp_path / f"runner{run}"  # a new, empty work dir each time
        runner_dir.mkdir()
        result = subprocess.run(["/bin/sh", "-c", command], cwd=runner_dir, env=env,
                                capture_output=True, text=True, timeout=300)  # fmt: skip
        assert result.returncode == 0, result.stderr
        summary = json.loads((runner_dir / "run-summary.json").read_text())
        vendor.assert_loaded(warehouse, server)
        vendor.advance(server, 12 * 3600)
    assert 0 < summary["rows"][vendor.harness.counted] < 800  # the second run was incremental


def _requirement_names(requirements: list[str]) -> set[str]:
    return {normalized(re.split(r"[\[<>=~! ;]", r, maxsplit=1)[0]) for r in requirements}


def test_the_github_workflow_installs_the_runtime_lock_and_caches_the_virtualenv(
    vendor: VendorUnderTest,
) -> None:
    steps = _workflow(vendor.name)["jobs"]["load"]["steps"]
    assert any(s.get("run", "").strip() == "make install" for s in steps)
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".venv"
    assert "hashFiles('requirements-runtime.lock')" in cache["with"]["key"]
    dry_run = subprocess.run(["make", "-n", "install"], cwd=ROOT, capture_output=True, text=True)
    assert "--require-hashes -r requirements-runtime.lock" in dry_run.stdout


def test_the_runtime_lock_is_the_whole_lock_less_the_development_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, whole = pins(ROOT / "requirements-runtime.lock"), pins(ROOT / "requirements.lock")
    assert {k: (v, whole.get(k)) for k, v in runtime.items() if whole.get(k) != v} == {}
    assert _requirement_names(project["dependencies"]) <= set(runtime)
    extras = {
        n for deps in project["optional-dependencies"].values() for n in _requirement_names(deps)
    }
    assert extras & set(runtime) == set(), "a development package in the runtime lock"
    # nor what only they need: Dagster's database and RPC, the notebook's kernel and plots
    assert {"alembic", "grpcio", "ipykernel", "pillow", "sqlalchemy"} & set(runtime) == set()


def test_a_load_needs_only_what_the_runtime_lock_installs(
    vendor: VendorUnderTest, tmp_path: Path
) -> None:
    """What a runtime-only virtualenv (`make install`, the GitHub recipe) must hold: a load
    here with every distribution the runtime lock does not pin hidden (bench.runtime_only),
    so that optional imports (dlt tries SQLAlchemy, pyarrow pandas) fail as they would there."""
    server = vendor.start(300)
    argv = ["load", vendor.name, "--quiet", "--pipelines-dir", str(tmp_path / "p"),
            "--json-summary", str(tmp_path / "s.json")]  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "bench.runtime_only", *argv], cwd=ROOT,
        env=vendor.env(server, tmp_path), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "s.json").read_text())["rows"][vendor.harness.counted] == 300
    vendor.assert_loaded(DuckDBWarehouse(tmp_path / "warehouse.duckdb"), server)


def test_the_readmes_dlt_commands_show_the_state_and_the_last_run(
    vendor: VendorUnderTest, tmp_path: Path
) -> None:
    server = vendor.start(200)
    env = vendor.env(server, tmp_path)
    assert run_cli(tmp_path, env, vendor=vendor.name).returncode == 0
    readme = (ROOT / "docs" / "operations.md").read_text()
    dlt_cli = Path(sys.executable).parent / "dlt"
    assert "`dlt pipeline --pipelines-dir DIR unify info`" in readme  # as run below: dlt's order
    for command in ("info", "trace", "schema"):
        assert f".venv/bin/dlt pipeline unify {command}" in readme
        argv = [str(dlt_cli), "pipeline", "--pipelines-dir", str(tmp_path / "pipelines"),
                vendor.name, command]  # fmt: skip
        shown = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        assert vendor.harness.counted in shown.stdout, (command, shown.stdout[-1000:])


def _load_dagster_definitions(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, DEPLOY / "dagster" / "definitions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dagster_definitions_load_without_a_key_and_materialise_the_load(
    vendor: VendorUnderTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg
    from dagster_dlt import DagsterDltResource

    server = vendor.start(600)
    env = vendor.env(server, tmp_path)
    for key, value in env.items():
        if key.startswith(("SOURCES__", "DESTINATION__")):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("SEQUENCE_FUNNEL_PIPELINES_DIR", str(tmp_path / "pipelines"))
    # the asset builds the dbt models after its load: checked once (the wiring is the same for
    # every vendor; each vendor's report views are checked in tests/<vendor>/test_reporting.py)
    builds = vendor.name == "unify"
    monkeypatch.setenv("FUNNEL__BUILD", str(builds).lower())
    monkeypatch.delenv(vendor.harness.key_variable)
    module = _load_dagster_definitions(f"{vendor.name}_definitions_no_key")  # with no secret
    schedule = module.defs.resolve_schedule_def(f"{vendor.name}_load_schedule")
    assert _valid_cron(schedule.cron_schedule)

    monkeypatch.setenv(vendor.harness.key_variable, env[vendor.harness.key_variable])
    assets = module.ASSETS[vendor.name]
    result = dg.materialize([assets], resources={"dlt": DagsterDltResource()})
    assert result.success
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    vendor.assert_loaded(warehouse, server)
    if builds:
        report = spec(vendor.name).report  # its report views were built too
        funnel = warehouse.rows(f"select enrolled from {vendor.name}.{report.view}")
        assert sum(enrolled for (enrolled,) in funnel) > 0
        assert warehouse.rows("select count(*) from funnel.funnel_by_vendor")[0][0] == 1

    # a key the vendor refuses: the asset fails with the CLI's one line, naming the setting
    monkeypatch.setenv(vendor.harness.key_variable, "not-a-key")
    refused = dg.materialize([assets], resources={"dlt": DagsterDltResource()},
                             raise_on_error=False)  # fmt: skip
    (failure,) = refused.get_step_failure_events()
    said = failure.step_failure_data.user_failure_data
    assert not refused.success and said is not None
    assert vendor.harness.key_variable in said.description and "\n" not in said.description
    assert said.metadata["exit_code"].value == 2  # the CLI's code for it
    assert "not-a-key" not in str(failure.step_failure_data)


# One Dagster job in a process of its own, as Dagster's multiprocess executor runs them
DAGSTER_JOB = """
import importlib.util, sys
import dagster as dg
from dagster_dlt import DagsterDltResource
spec = importlib.util.spec_from_file_location("definitions", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
result = dg.materialize([module.ASSETS[sys.argv[2]]], resources={"dlt": DagsterDltResource()})
sys.exit(0 if result.success else 1)
"""


def test_the_dagster_schedules_are_staggered_as_the_cron_lines_are() -> None:
    module = _load_dagster_definitions("definitions_schedules")
    crontab = (DEPLOY / "cron" / "crontab").read_text().splitlines()
    cron = {line.split("sequence-funnel load ")[1].split()[0]: line.split()[0]
            for line in crontab if "sequence-funnel load " in line and not line.startswith("#")}  # fmt: skip
    for name, minutes in cron.items():
        schedule = module.defs.resolve_schedule_def(f"{name}_load_schedule").cron_schedule
        first = int(schedule.split(",")[0])
        assert first == (0 if minutes == "*/30" else int(minutes.split(",")[0])), (name, schedule)
    assert len({module.defs.resolve_schedule_def(f"{n}_load_schedule").cron_schedule
                for n in cron}) == len(cron)  # fmt: skip


def test_two_vendors_jobs_at_once_on_one_duckdb_file_take_turns_and_both_load(
    unify, sequenzy, tmp_path: Path
) -> None:
    from sandbox.unify import FaultConfig
    from tests.sequenzy.environment import cli_env as sequenzy_env
    from tests.sequenzy.truth import assert_matches_truth as sequenzy_truth
    from tests.unify.environment import cli_env as unify_env
    from tests.unify.truth import assert_matches_truth as unify_truth

    servers = {"unify": unify(enrollments=2000, faults=FaultConfig(latency_ms=20)),
               "sequenzy": sequenzy(enrollments=600)}  # fmt: skip
    env = (unify_env(servers["unify"].base_url, tmp_path)
           | sequenzy_env(servers["sequenzy"].base_url, tmp_path)
           | {"SEQUENCE_FUNNEL_PIPELINES_DIR": str(tmp_path / "pipelines")})  # fmt: skip
    definitions = str(DEPLOY / "dagster" / "definitions.py")
    jobs = [subprocess.Popen([sys.executable, "-c", DAGSTER_JOB, definitions, name], cwd=tmp_path,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in servers]  # fmt: skip
    outputs = [job.communicate(timeout=600) for job in jobs]
    for job, (_, err) in zip(jobs, outputs, strict=True):
        assert job.returncode == 0, err[-3000:]
    said = "".join(err for _, err in outputs)
    assert "waiting up to 1800 s for another run using the DuckDB file" in said  # took turns
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    unify_truth(warehouse, servers["unify"].state)
    sequenzy_truth(warehouse, servers["sequenzy"].state)


def test_the_dagster_workspaces_job_loads_each_partition_at_once_into_postgres_then_builds_once(
    tmp_path: Path, postgres_server: Any
) -> None:
    from dagster import AssetKey, DagsterEventType, DagsterInstance

    from tests.unify.test_workspaces import NAMES, served_worlds, workspaces_env
    from tests.unify.truth import assert_matches_truth as unify_truth

    keys = {name: f"unify-key-{name}" for name in NAMES}
    database = postgres_server.new_database()
    home = tmp_path / "dagster"
    home.mkdir()
    with served_worlds(keys, {"acme": 300, "beta": 250, "gamma": 200}) as servers:
        env = workspaces_env(servers, tmp_path, keys) | {
            "DESTINATION__POSTGRES__CREDENTIALS": database.dsn,
            "SEQUENCE_FUNNEL_DESTINATION": "postgres",
            "SEQUENCE_FUNNEL_PIPELINES_DIR": str(tmp_path / "pipelines"),
            "DAGSTER_HOME": str(home),
        }
        command = [str(Path(sys.executable).with_name("dagster")), "job", "execute", "-f",
                   str(DEPLOY / "dagster" / "definitions.py"), "-a", "defs",
                   "-j", "unify_workspaces"]  # fmt: skip
        run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=900)  # fmt: skip
        assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
        for name in NAMES:
            unify_truth(database, servers[name].state, f"unify_{name}")
        found = database.rows("select workspace, count(*) from funnel.enrollments group by 1")
        assert dict(found) == {n: len(servers[n].state.all_enrollments()) for n in NAMES}
    instance = DagsterInstance.from_config(str(home))
    assert sorted(instance.get_dynamic_partitions("unify_workspaces")) == sorted(NAMES)
    done = instance.fetch_materializations(AssetKey("unify_workspace"), limit=10).records
    assert sorted(r.partition_key for r in done) == sorted(NAMES)

    (only_run,) = instance.get_runs()
    logs = instance.all_logs(only_run.run_id)

    def steps(kind: DagsterEventType) -> dict[str, float]:
        return {e.step_key: e.timestamp for e in logs
                if e.dagster_event and e.dagster_event.event_type == kind and e.step_key}  # fmt: skip

    started, ended = steps(DagsterEventType.STEP_START), steps(DagsterEventType.STEP_SUCCESS)
    loads = [k for k in started if k.startswith("unify_workspace_load")]
    assert len(loads) == 3 and [k for k in started if "models" in k] == ["unify_workspaces_models"]
    # two workspaces' loads ran at once (the machine's two cores: the executor's default)
    spans = sorted((started[k], ended[k]) for k in loads)
    assert any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans)), spans
    built = max(ended[k] for k in loads)
    assert started["unify_workspaces_models"] >= built  # the build, once, after every load
