"""Every state action of every vendor, against its sandbox, the same way: a plan sends nothing;
an apply killed after its first write and run again under faults leaves exactly the selected
targets as wanted; a second apply sends nothing; the journal holds one `done` per target.
(Creates and Sequenzy's batched cancel have tests of their own, in tests/<vendor>/.)"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.common.faults import FaultConfig
from tests.instantly.environment import cli_env as instantly_env
from tests.sequenzy.environment import cli_env as sequenzy_env
from tests.support.cli import ROOT, cli, kill_when, run_cli
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.environment import cli_env as unify_env

FAULTS = FaultConfig(server_error=0.06, drop=0.04, truncate=0.04, bad_json=0.03, seed=3)
READS_AS_POST = ("/leads/list",)  # Instantly's leads listing: a read


def _unify(server: Any) -> dict[str, dict]:
    return {r["id"]: r for r in server.state.all_enrollments()}


def _unify_sequences(server: Any) -> dict[str, dict]:
    return {s.id: s.body for s in server.state.world.sequences}


def _instantly(kind: str) -> Callable[[Any], dict[str, dict]]:
    return lambda server: {x["id"]: x for x in getattr(server.state.world, kind)}


def _leads(server: Any) -> dict[str, dict]:
    return {lead["id"]: lead for lead in server.state.leads_now()}


def _sequenzy(server: Any) -> dict[str, dict]:
    return {s.body["id"]: s.body for s in server.state.world.sequences}


@dataclass(frozen=True)
class Case:
    vendor: str
    action: str
    candidates: str  # the targets, before any setup: a query over the loaded dataset
    state: Callable[[Any], dict[str, dict]]  # the sandbox's objects by id
    wanted: Callable[[dict], bool]  # an object as the action leaves it
    setup: str | None = None  # the opposite action, applied first to the same targets

    @property
    def id(self) -> str:
        return f"{self.vendor}-{self.action}"


RUNNING = "select id from unify.enrollments where status = 'IN_PROGRESS' and not is_paused"
CASES = [
    Case("unify", "pause-enrollment", f"{RUNNING} order by id limit 6", _unify,
         lambda e: e["is_paused"]),
    Case("unify", "resume-enrollment", f"{RUNNING} order by id limit 6", _unify,
         lambda e: not e["is_paused"], setup="pause-enrollment"),
    Case("unify", "cancel-enrollment", f"{RUNNING} order by id desc limit 6", _unify,
         lambda e: e["is_canceled"]),
    Case("unify", "pause-sequence", "select id from unify.sequences where not is_paused"
         " order by id limit 2", _unify_sequences, lambda s: s["is_paused"]),
    Case("unify", "resume-sequence", "select id from unify.sequences where not is_paused"
         " order by id limit 2", _unify_sequences, lambda s: not s["is_paused"],
         setup="pause-sequence"),
    Case("instantly", "pause-subsequence", "select id from instantly.subsequences where"
         " status = 1 order by id limit 3", _instantly("subsequences"), lambda s: s["status"] == 2),
    Case("instantly", "resume-subsequence", "select id from instantly.subsequences where"
         " status = 1 order by id limit 3", _instantly("subsequences"), lambda s: s["status"] == 1,
         setup="pause-subsequence"),
    Case("instantly", "pause-campaign", "select id from instantly.campaigns where status = 1"
         " order by id limit 2", _instantly("campaigns"), lambda c: c["status"] == 2),
    Case("instantly", "activate-campaign", "select id from instantly.campaigns where status = 1"
         " order by id limit 2", _instantly("campaigns"), lambda c: c["status"] == 1,
         setup="pause-campaign"),
    Case("instantly", "remove-lead", "select l.id, min(s.id) as subsequence_id from"
         " instantly.leads l join instantly.subsequences s on s.parent_campaign = l.campaign"
         " where l.subsequence_id is null group by l.id order by l.id limit 6", _leads,
         lambda lead: not lead.get("subsequence_id"), setup="move-lead"),
    Case("sequenzy", "pause-enrollments", "select id from sequenzy.sequences where"
         " effective_status = 'live' order by id limit 2", _sequenzy,
         lambda s: s["enrollmentPaused"]),
    Case("sequenzy", "resume-enrollments", "select id from sequenzy.sequences where"
         " effective_status = 'live' order by id limit 2", _sequenzy,
         lambda s: not s["enrollmentPaused"], setup="pause-enrollments"),
    Case("sequenzy", "disable", "select id from sequenzy.sequences where"
         " effective_status = 'live' order by id limit 2", _sequenzy,
         lambda s: s["status"] == "paused"),
    Case("sequenzy", "enable", "select id from sequenzy.sequences where"
         " effective_status = 'live' order by id limit 2", _sequenzy,
         lambda s: s["status"] == "active", setup="disable"),
]  # fmt: skip


def _write_paths(server: Any) -> Counter:
    return Counter({path: n for path, n in server.sandbox.faults.by_path.items()
                    if not path.startswith("GET ") and not path.endswith(READS_AS_POST)})  # fmt: skip


def _writes(server: Any) -> int:
    return sum(_write_paths(server).values())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_state_action_acts_once_through_a_kill_and_faults(case, request, tmp_path):
    if case.vendor == "unify":
        server, env = request.getfixturevalue("unify")(enrollments=400), unify_env
    elif case.vendor == "instantly":
        server, env = request.getfixturevalue("instantly")(leads=300, campaigns=12), instantly_env
    else:
        server, env = request.getfixturevalue("sequenzy")(enrollments=300), sequenzy_env
    environment = env(server.base_url, tmp_path)
    assert run_cli(tmp_path, environment, vendor=case.vendor).returncode == 0
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    rows = warehouse.rows(case.candidates)
    ids = [r[0] for r in rows]
    assert ids, "the world has targets for this action"
    columns = "id, subsequence_id" if case.setup == "move-lead" else "id"
    values = ", ".join(repr(i) for i in ids)
    select = f"select {columns} from ({case.candidates}) t where id in ({values})"

    def act(action: str, *args: str) -> subprocess.CompletedProcess:
        return run_cli(tmp_path, environment, action, "--select", select, "--no-refresh", *args,
                       command="act", vendor=case.vendor)  # fmt: skip

    if case.setup:
        assert act(case.setup, "--apply").returncode == 0
    before = _writes(server)
    assert act(case.action).returncode == 0 and _writes(server) == before  # the plan only
    server.sandbox.faults.configure(FaultConfig(latency_ms=150))
    argv = cli(tmp_path, case.action, "--select", select, "--apply", "--no-refresh",
               command="act", vendor=case.vendor)  # fmt: skip
    process = subprocess.Popen(argv, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    kill_when(process, lambda: _writes(server) > before)  # killed once it has written
    server.sandbox.faults.configure(FAULTS)
    rerun = act(case.action, "--apply")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    server.sandbox.faults.configure(FaultConfig())
    state = case.state(server)
    assert all(case.wanted(state[i]) for i in ids), rerun.stdout
    done = _writes(server)
    again = act(case.action, "--apply")
    assert again.returncode == 0 and f"0 done, {len(ids)} skipped, 0 failed" in again.stdout
    assert _writes(server) == done
    addressed = [p for p in _write_paths(server) if "/leads/subsequence/" not in p]  # by body
    assert all(any(i in p for i in ids) for p in addressed), addressed  # only the targets
    log = warehouse.rows(
        f"select target, outcome from {case.vendor}.actions_log where phase = 'finished'"
        f" and action = '{case.action}'"
    )
    assert Counter(t for t, o in log if o == "done") == Counter(ids)  # each acted on once
    assert not [t for t, o in log if o == "failed"]
