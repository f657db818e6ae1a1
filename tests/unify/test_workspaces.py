"""Several Unify workspaces, one key each, loaded by one `load unify`: each into its own dataset,
exact; one whose key is refused fails alone; the funnel is their union, tagged by workspace."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sandbox.unify import FaultConfig, UnifySandbox
from tests.funnel.test_kills import assert_none_left, ours
from tests.support.cli import BUILDS_MODELS, ROOT, cli, files_containing, kill_when, run_cli
from tests.support.served import served
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.environment import cli_env
from tests.unify.fixtures import UnifyServer
from tests.unify.truth import assert_matches_truth

NAMES = ("acme", "beta", "gamma")
NOT_REACHED = "not loaded: the run ended before it"


def workspaces_env(servers: dict[str, Any], tmp_path: Path, keys: dict[str, str]) -> dict[str, str]:
    """The vendor's shared settings, and per workspace its key and its sandbox's address; no
    key for the vendor itself."""
    env = cli_env("unused", tmp_path)
    del env["SOURCES__UNIFY__API_KEY"], env["SOURCES__UNIFY__BASE_URL"]
    for name, server in servers.items():
        prefix = f"SOURCES__UNIFY__WORKSPACES__{name.upper()}__"
        env[prefix + "API_KEY"], env[prefix + "BASE_URL"] = keys[name], server.base_url
    return env | BUILDS_MODELS


def test_each_workspace_loads_exactly_into_its_own_dataset_and_a_refused_key_fails_it_alone(
    tmp_path: Path,
) -> None:
    keys = {name: f"unify-key-{name}" for name in NAMES}
    sizes = {"acme": 120, "beta": 90, "gamma": 60}
    with served_worlds(keys, sizes) as servers:
        revoked = keys | {"gamma": "a-key-unify-revoked"}
        env = workspaces_env(servers, tmp_path, revoked)
        result = run_cli(tmp_path, env, "--json-summary", str(tmp_path / "summary.json"))
        assert result.returncode == 2, result.stderr  # the key refused: configuration
        summary = json.loads((tmp_path / "summary.json").read_text())
        assert summary["failed_workspaces"] == ["gamma"] and summary["status"] == "partial"
        assert summary["exit_code"] == 2 and "2 of 3 workspaces loaded" in result.stdout
        assert "error: workspace gamma: Unify rejected the API key" in result.stderr
        assert "SOURCES__UNIFY__WORKSPACES__GAMMA__API_KEY" in result.stderr
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
        for name in ("acme", "beta"):
            assert_matches_truth(warehouse, servers[name].state, f"unify_{name}")
            assert summary["workspaces"][name]["dataset"] == f"unify_{name}"
        assert _funnel_enrollments(warehouse) == {
            name: _enrollment_ids(servers[name]) for name in ("acme", "beta")
        }
        # the key is given back: that workspace alone, the funnel then all three
        env = workspaces_env(servers, tmp_path, keys)
        again = run_cli(tmp_path, env, "--workspace", "gamma")
        assert again.returncode == 0, again.stderr
        assert_matches_truth(warehouse, servers["gamma"].state, "unify_gamma")
        assert _funnel_enrollments(warehouse) == {
            name: _enrollment_ids(servers[name]) for name in NAMES
        }
        for key in keys.values():
            assert key not in result.stdout + result.stderr + again.stdout + again.stderr
            assert files_containing(tmp_path, key) == []
        _assert_reported_apart(tmp_path, env, {n: len(_enrollment_ids(servers[n])) for n in NAMES})


def _assert_reported_apart(tmp_path: Path, env: dict[str, str], sizes: dict[str, int]) -> None:
    """`report unify` shows each workspace apart, `--workspace` one, and `report --all
    --workspace` that one's funnel across tools."""
    shown = run_cli(tmp_path, env, command="report")
    assert shown.returncode == 0, shown.stderr
    tables = shown.stdout.split("Workspace ")[1:]
    assert [t.split(":")[0] for t in tables] == sorted(sizes)
    for table in tables:
        assert f" and {sizes[table.split(':')[0]]:,} enrollments in " in table
    one = run_cli(tmp_path, env, "--workspace", "beta", command="report")
    assert one.returncode == 0, one.stderr
    assert one.stdout.count("Workspace ") == 1
    assert f" and {sizes['beta']:,} enrollments" in one.stdout
    across = subprocess.run(
        cli(tmp_path, "--workspace", "acme", command="report", vendor="--all"),
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert across.returncode == 0, across.stderr
    assert across.stdout.startswith("Workspace acme:")
    assert f"({sizes['acme']:,} enrollments)" in across.stdout
    unknown = run_cli(tmp_path, env, "--workspace", "delta", command="report")
    assert unknown.returncode == 2 and "no Unify workspace 'delta'" in unknown.stderr


def test_the_same_address_in_two_workspaces_is_two_people(tmp_path: Path) -> None:
    """Two clients of an agency share people (the same addresses): each client's funnel counts
    its own, and no person spans them."""
    keys = {name: f"unify-key-{name}" for name in ("acme", "beta")}
    with served_worlds(keys, {"acme": 80, "beta": 80}, shared_people=30) as servers:
        env = workspaces_env(servers, tmp_path, keys)
        assert run_cli(tmp_path, env).returncode == 0
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
        emails = [{p["email"].lower() for p in _people(s)} for s in servers.values()]
        assert emails[0] & emails[1], "the worlds share no address: nothing is tested"
        people = warehouse.rows(
            "select workspace, count(*), count(distinct person_key) from funnel.people"
            " group by workspace order by workspace"
        )
        assert [(w, n) for w, n, _ in people] == [
            ("acme", len(emails[0])),
            ("beta", len(emails[1])),
        ]
        crossing = warehouse.rows("select count(*) from funnel.people where tools > 1")
        assert crossing == [(0,)]


def _people(server: Any) -> list[dict[str, Any]]:
    return [e["person"] for e in server.state.all_enrollments() if e["person"].get("email")]


def _enrollment_ids(server: Any) -> set[str]:
    return {e["id"] for e in server.state.all_enrollments()}


def _funnel_enrollments(warehouse: DuckDBWarehouse) -> dict[str, set[str]]:
    rows = warehouse.rows(
        "select workspace, vendor_enrollment_id, enrollment_key from funnel.enrollments"
    )
    found: dict[str, set[str]] = {}
    for workspace, enrollment, key in rows:
        assert key == f"unify:{workspace}:{enrollment}"
        found.setdefault(workspace, set()).add(enrollment)
    return found


@contextmanager
def served_worlds(
    keys: dict[str, str], sizes: dict[str, int], **world: Any
) -> Iterator[dict[str, Any]]:
    """A Unify sandbox per workspace, each its own world (seed) and key."""

    def create(n: int, seed: int, key: str, **kwargs: Any) -> UnifySandbox:
        return UnifySandbox.create(n, seed, api_keys=frozenset({key}), **world, **kwargs)

    servers = served(create, UnifyServer)
    start = next(servers)
    try:
        yield {name: start(sizes[name], 11 + i, keys[name]) for i, name in enumerate(keys)}
    finally:
        next(servers, None)  # stops them


def test_workspaces_load_in_parallel_into_postgres_and_take_turns_on_a_duckdb_file(
    tmp_path: Path, postgres_server: Any
) -> None:
    keys = {name: f"unify-key-{name}" for name in NAMES}
    with served_worlds(keys, {"acme": 150, "beta": 120, "gamma": 90}) as servers:
        database = postgres_server.new_database()
        for where, extra, warehouse in [
            ("duckdb", ("--parallel", "3"), DuckDBWarehouse(tmp_path / "warehouse.duckdb")),
            ("postgres", ("--destination", "postgres"), database),
        ]:
            run_dir = tmp_path / where
            run_dir.mkdir()
            env = workspaces_env(servers, tmp_path, keys)
            env["DESTINATION__POSTGRES__CREDENTIALS"] = database.dsn
            result = run_cli(run_dir, env, *extra)
            assert result.returncode == 0, result.stderr
            assert "3 of 3 workspaces loaded" in result.stdout
            for name in NAMES:  # each one's progress, then its summary
                assert f"{name}: loading" in result.stdout
                assert f"Unify workspace {name}:" in result.stdout
                assert_matches_truth(warehouse, servers[name].state, f"unify_{name}")
            assert _funnel_enrollments(warehouse) == {
                name: _enrollment_ids(servers[name]) for name in NAMES
            }


def test_a_parallel_load_killed_leaves_no_load_running_and_the_rerun_is_exact(
    tmp_path: Path,
) -> None:
    keys = {name: f"unify-key-{name}" for name in NAMES}
    with served_worlds(keys, {"acme": 400, "beta": 400, "gamma": 400}) as servers:
        env = workspaces_env(servers, tmp_path, keys)
        load = subprocess.Popen(cli(tmp_path, "--parallel", "3"), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        children = lambda: [p for p in ours(tmp_path) if p.pid != load.pid]  # noqa: E731
        assert kill_when(load, lambda: len(children()) >= 3) == -9
        assert_none_left(tmp_path)
        rerun = run_cli(tmp_path, env)
        assert rerun.returncode == 0, rerun.stderr
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
        for name in NAMES:
            assert_matches_truth(warehouse, servers[name].state, f"unify_{name}")


@pytest.mark.parametrize("parallel", ["1", "2"])
def test_a_stopped_load_of_workspaces_takes_no_more_says_interrupted_and_the_rerun_is_exact(
    tmp_path: Path, parallel: str
) -> None:
    """SIGTERM (a scheduler's stop) while the first workspaces load: the run stops there, as a
    single load does. No workspace is begun after it, none is left running, the summary says
    interrupted (exit 143) and names those never reached."""
    keys = {name: f"unify-key-{name}" for name in NAMES}
    with served_worlds(keys, {"acme": 400, "beta": 400, "gamma": 400}) as servers:
        for server in servers.values():  # loads of several seconds: the signal lands in one
            server.sandbox.faults.configure(FaultConfig(latency_ms=150))
        served = lambda name: servers[name].sandbox.faults.stats["requests"]  # noqa: E731
        env = workspaces_env(servers, tmp_path, keys)
        summary = tmp_path / "summary.json"
        load = subprocess.Popen(cli(tmp_path, "--parallel", parallel, "--json-summary",
                                    str(summary)), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 60
        while not any(served(name) for name in NAMES):
            assert time.monotonic() < deadline and load.poll() is None
            time.sleep(0.02)
        load.send_signal(signal.SIGTERM)
        assert load.wait(timeout=120) == 143
        assert_none_left(tmp_path)
        assert len([name for name in NAMES if served(name)]) <= int(parallel)
        said = json.loads(summary.read_text())
        assert said["status"] == "interrupted" and said["exit_code"] == 143
        assert said["models"] is None  # no build after a stop
        errors = {name: said["workspaces"][name]["error"] for name in NAMES}
        never = [name for name, error in errors.items() if error == NOT_REACHED]
        assert len(never) >= len(NAMES) - int(parallel)  # none begun after the signal
        for name in set(NAMES) - set(never):  # each one begun says it was stopped
            assert errors[name].startswith(f"workspace {name}: interrupted by SIGTERM")
        for server in servers.values():
            server.sandbox.faults.configure(FaultConfig())
        rerun = run_cli(tmp_path, env)
        assert rerun.returncode == 0, rerun.stderr
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
        for name in NAMES:
            assert_matches_truth(warehouse, servers[name].state, f"unify_{name}")


def test_an_action_names_its_workspace_and_acts_there_only(tmp_path: Path) -> None:
    keys = {name: f"unify-key-{name}" for name in ("acme", "beta")}
    with served_worlds(keys, {"acme": 150, "beta": 150}) as servers:
        env = workspaces_env(servers, tmp_path, keys) | {"FUNNEL__BUILD": "false"}
        assert run_cli(tmp_path, env).returncode == 0
        running = ("select id from unify_acme.enrollments where status = 'IN_PROGRESS'"
                   " and not is_paused order by id limit 4")  # fmt: skip
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
        chosen = {r[0] for r in warehouse.rows(running)}

        def paused(name: str) -> set[str]:
            return {e["id"] for e in servers[name].state.all_enrollments() if e["is_paused"]}

        before = {name: paused(name) for name in keys}

        def act(*args: str) -> subprocess.CompletedProcess:
            return run_cli(tmp_path, env, "pause-enrollment", *args, command="act")

        unnamed = act("--select", running)
        assert unnamed.returncode == 2 and "name it with --workspace" in unnamed.stderr
        env["FUNNEL__BUILD"] = "true"  # the marts, whose rows carry their workspace
        assert run_cli(tmp_path, env).returncode == 0
        mixed = act("--workspace", "acme", "--select", "select vendor_enrollment_id as id,"
                    " workspace from funnel.enrollments limit 400")  # fmt: skip
        assert mixed.returncode == 2 and "rows of workspace beta" in mixed.stderr
        applied = act("--workspace", "acme", "--select", running, "--apply")
        assert applied.returncode == 0, applied.stderr
        assert "refreshing: sequence-funnel load unify --quiet --after-act --destination duckdb" \
               " --workspace acme" in applied.stdout  # fmt: skip
        assert paused("acme") == before["acme"] | chosen and len(chosen) == 4
        assert paused("beta") == before["beta"]  # the other client's workspace: untouched
        journal = warehouse.rows("select count(*) from unify_acme.actions_log")
        assert journal[0][0] >= len(chosen)
