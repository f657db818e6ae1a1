"""The funnel models as the command line builds and reports them: after a load, only when
something changed, a failed build said in one line with the load kept, `report --all`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from pipelines import funnel
from tests.sequenzy.environment import cli_env
from tests.support.cli import ROOT, run_cli
from tests.support.warehouses import DuckDBWarehouse


def _report(env, *args):
    argv = [sys.executable, "-m", "pipelines.cli", "report", *args]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _env(server, tmp_path, **extra):
    return cli_env(server.base_url, tmp_path) | {"FUNNEL__BUILD": "true"} | extra


def test_a_load_builds_the_models_once_and_report_all_prints_them(sequenzy, tmp_path):
    server = sequenzy(enrollments=300)
    env = _env(server, tmp_path)
    first = run_cli(
        tmp_path, env, "--json-summary", str(tmp_path / "first.json"), vendor="sequenzy"
    )
    assert first.returncode == 0, first.stderr
    assert "funnel models: built in" in first.stdout
    assert json.loads((tmp_path / "first.json").read_text())["models"].startswith("built")
    again = run_cli(
        tmp_path, env, "--json-summary", str(tmp_path / "again.json"), vendor="sequenzy"
    )
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "again.json").read_text())["models"] == "unchanged"

    shown = _report(env, "--all")
    assert shown.returncode == 0, shown.stderr
    enrolled = DuckDBWarehouse(tmp_path / "warehouse.duckdb").rows(
        "select enrolled from funnel.funnel_by_vendor"
    )
    assert "Sequenzy" in shown.stdout and f"{enrolled[0][0]:,}" in shown.stdout
    names = {s.body["name"] for s in server.state.world.sequences}
    assert sum(f"Sequenzy · {n}"[:30] in shown.stdout for n in names) == len(names)


def test_a_model_that_fails_is_one_line_and_the_load_stays(sequenzy, tmp_path):
    server = sequenzy(enrollments=200)
    broken = tmp_path / "dbt"
    shutil.copytree(funnel.project_dir(), broken, ignore=shutil.ignore_patterns("target", "logs"))
    people = broken / "models" / "marts" / "people.sql"
    people.write_text(people.read_text().replace("from e\n", "from no_such_table\n", 1))
    env = _env(server, tmp_path, FUNNEL__DBT_PROJECT=str(broken))
    result = run_cli(tmp_path, env, vendor="sequenzy")
    assert result.returncode == 1
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "the funnel models did not build: people" in error[0], result.stderr
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    assert warehouse.rows("select count(*) from sequenzy.enrollments")[0][0] > 0  # loaded

    env["FUNNEL__DBT_PROJECT"] = str(funnel.project_dir())
    fixed = run_cli(tmp_path, env, vendor="sequenzy")  # nothing new, but never built: builds
    assert fixed.returncode == 0 and "funnel models: built" in fixed.stdout, fixed.stderr


def test_a_missing_project_or_funnel_is_said_before_anything_runs(sequenzy, tmp_path):
    server = sequenzy(enrollments=100)
    env = _env(server, tmp_path, FUNNEL__DBT_PROJECT=str(tmp_path / "nowhere"))
    result = run_cli(tmp_path, env, vendor="sequenzy")
    assert result.returncode == 2 and "set FUNNEL__DBT_PROJECT" in result.stderr
    assert server.sandbox.faults.stats["requests"] == 0
    assert not (tmp_path / "warehouse.duckdb").exists()

    shown = _report(env, "--all")
    assert shown.returncode == 2 and "run a load first" in shown.stderr
    neither = _report(env)
    assert neither.returncode == 2 and "name a vendor" in neither.stderr
    elsewhere = subprocess.run(  # the demo is where `make demo` ran: here, none
        [sys.executable, "-m", "pipelines.cli", "report", "unify", "--demo"], cwd=tmp_path,
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert elsewhere.returncode == 2 and elsewhere.stderr.strip() == (
        f"error: no demo at {tmp_path.resolve()}/_demo/sequence_funnel.duckdb: run"
        f" `sequence-funnel demo` (make demo) in {tmp_path.resolve()} first, or this where it ran"
    )
    for args in (("sequenzy", "--html", "page.html"), ("--html", "page.html", "sequenzy")):
        page = _report(env, *args)  # the page is the funnel across vendors
        assert page.returncode == 2, page.stderr
        assert page.stderr.splitlines()[-1].endswith(
            "error: --html goes with --all: sequence-funnel report --all --html page.html"
        )


BUILD = """
import sys
from pipelines import funnel
from pipelines.destinations import duckdb_destination
print(funnel.build(duckdb_destination(sys.argv[1]), pipelines_dir=sys.argv[2]).status)
"""


def test_two_builds_at_once_build_once(sequenzy, tmp_path):
    server = sequenzy(enrollments=100)
    env = cli_env(server.base_url, tmp_path)  # FUNNEL__BUILD=false: the load leaves them
    assert run_cli(tmp_path, env, vendor="sequenzy").returncode == 0
    unbuilt = run_cli(tmp_path, env, command="report", vendor="sequenzy")
    assert unbuilt.returncode == 2 and len(unbuilt.stderr.strip().splitlines()) == 1
    assert "no funnel views in dataset 'sequenzy'" in unbuilt.stderr
    assert "FUNNEL__BUILD=false" in unbuilt.stderr
    argv = [sys.executable, "-c", BUILD, str(tmp_path / "warehouse.duckdb"),
            str(tmp_path / "pipelines")]  # fmt: skip
    builds = [subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
              for _ in range(2)]  # fmt: skip
    said = sorted(b.communicate(timeout=240)[0].strip() for b in builds)
    assert [b.returncode for b in builds] == [0, 0] and said == ["built", "unchanged"]
    shown = run_cli(tmp_path, env, command="report", vendor="sequenzy")
    assert shown.returncode == 0 and "people and" in shown.stdout, shown.stderr
