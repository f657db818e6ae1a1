"""`sequence-funnel act sequenzy ...` against the sandbox: cancel through the vendor's dry run
in batches of 500, the sequence run-state actions, plans that send nothing, second applies that
change nothing."""

from __future__ import annotations

import signal
import subprocess
from collections import Counter

from sandbox.sequenzy import FaultConfig
from tests.sequenzy.environment import cli_env
from tests.support.cli import ROOT, cli, kill_when, run_cli
from tests.support.warehouses import DuckDBWarehouse

RUNNING = ("active", "waiting", "paused")  # what a cancel ends


def _posts(server) -> Counter:
    return Counter({k: v for k, v in server.sandbox.faults.by_path.items()
                    if k.startswith("POST ")})  # fmt: skip


def _act(tmp_path, env, action, select, *args):
    return run_cli(tmp_path, env, action, "--select", select, *args, command="act",
                   vendor="sequenzy")  # fmt: skip


def _running(server, sequence_id):
    return {e["enrollmentId"] for e in server.state.enrollments_now()
            if e["sequenceId"] == sequence_id and e["status"] in RUNNING}  # fmt: skip


def test_cancel_goes_through_the_dry_run_in_batches_and_cancels_exactly_the_selected(
    sequenzy, tmp_path
):
    server = sequenzy(enrollments=2400, sequences=2)
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env, vendor="sequenzy").returncode == 0
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    sequence = server.state.world.sequences[0].body["id"]
    select = (f"select distinct sequence_id, subscriber_id from sequenzy.enrollments"
              f" where sequence_id = '{sequence}' order by subscriber_id")  # fmt: skip
    chosen = {r[1] for r in warehouse.rows(select)}
    assert len(chosen) > 500  # two batches
    before = server.state.enrollments_now()
    wanted = {e["enrollmentId"] for e in before
              if e["sequenceId"] == sequence and e["status"] in RUNNING}  # fmt: skip
    others = {e["enrollmentId"]: e["status"] for e in before if e["enrollmentId"] not in wanted}
    planned = _act(tmp_path, env, "cancel-enrollments", select, "--max", "5000")
    assert planned.returncode == 0 and "add --apply" in planned.stdout
    assert _posts(server) == Counter()
    applied = _act(tmp_path, env, "cancel-enrollments", select, "--max", "5000", "--apply")
    assert applied.returncode == 0, applied.stderr
    holders = {e["subscriberId"] for e in before if e["enrollmentId"] in wanted}
    assert (f"applied: {len(holders)} done, {len(chosen) - len(holders)} skipped, 0 failed"
            in applied.stdout)  # fmt: skip
    after = {e["enrollmentId"]: e["status"] for e in server.state.enrollments_now()}
    assert {k for k in wanted if after[k] == "cancelled"} == wanted
    assert {k: after[k] for k in others} == others  # nothing else touched
    path = f"POST /api/v1/sequences/{sequence}/enrollments/cancel"
    assert _posts(server) == Counter({path: 4})  # two batches: a dry run, then the cancel
    log = warehouse.rows(
        "select target, outcome from sequenzy.actions_log where phase = 'finished'"
    )
    assert {t.split(":")[1] for t, o in log if o == "done"} == holders  # as the sandbox saw
    again = _act(tmp_path, env, "cancel-enrollments", select, "--max", "5000", "--apply")
    assert again.returncode == 0 and f"0 done, {len(chosen)} skipped" in again.stdout
    assert _posts(server) == Counter({path: 6})  # two dry runs, matching nothing
    shown = warehouse.rows(f"select count(*) from sequenzy.enrollments where status = 'cancelled'"
                           f" and id in ({', '.join(repr(k) for k in wanted)})")  # fmt: skip
    assert shown == [(len(wanted),)]  # the refresh after the apply


def test_a_sequences_run_state_actions_act_once(sequenzy, tmp_path):
    server = sequenzy(enrollments=300)
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env, vendor="sequenzy").returncode == 0
    live = ("select id from sequenzy.sequences where effective_status = 'live' order by id"
            " limit 2")  # fmt: skip
    chosen = [r[0] for r in DuckDBWarehouse(tmp_path / "warehouse.duckdb").rows(live)]
    paused = _act(tmp_path, env, "pause-enrollments", live, "--apply", "--no-refresh")
    assert paused.returncode == 0 and "applied: 2 done" in paused.stdout, paused.stderr
    bodies = {s.body["id"]: s.body for s in server.state.world.sequences}
    assert all(bodies[i]["effectiveStatus"] == "enrollment_paused" for i in chosen)
    again = _act(tmp_path, env, "pause-enrollments", live, "--apply", "--no-refresh")
    assert again.returncode == 0 and "applied: 0 done, 2 skipped" in again.stdout
    disabled = _act(tmp_path, env, "disable", live, "--apply", "--no-refresh")
    assert disabled.returncode == 0 and "applied: 2 done" in disabled.stdout
    refused = _act(tmp_path, env, "pause-enrollments", live, "--apply", "--no-refresh")
    assert refused.returncode == 6 and "Sequence is paused: enable it first" in refused.stdout
    expected = Counter()
    for i in chosen:  # pause-enrollments twice: done, then refused; disable once
        expected[f"POST /api/v1/sequences/{i}/pause-enrollments"] += 2
        expected[f"POST /api/v1/sequences/{i}/disable"] += 1
    assert _posts(server) == expected


def test_under_faults_cancel_reaches_the_same_end_state(sequenzy, tmp_path):
    """Dry runs and cancels answered with 5xx, dropped, cut or broken: cancelling is safe to
    repeat, and the selected subscribers' running tokens end cancelled, the others untouched."""
    server = sequenzy(enrollments=1200)
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env, vendor="sequenzy").returncode == 0
    sequence = server.state.world.sequences[1].body["id"]
    select = (f"select distinct sequence_id, subscriber_id from sequenzy.enrollments"
              f" where sequence_id = '{sequence}' order by subscriber_id limit 120")  # fmt: skip
    chosen = {r[1] for r in DuckDBWarehouse(tmp_path / "warehouse.duckdb").rows(select)}
    before = server.state.enrollments_now()
    wanted = {e["enrollmentId"] for e in before if e["sequenceId"] == sequence
              and e["subscriberId"] in chosen and e["status"] in RUNNING}  # fmt: skip
    server.sandbox.faults.configure(FaultConfig(server_error=0.15, drop=0.1, truncate=0.1,
                                                bad_json=0.05, seed=4))  # fmt: skip
    applied = _act(tmp_path, env, "cancel-enrollments", select, "--max", "500", "--apply",
                   "--no-refresh")  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    after = {e["enrollmentId"]: e["status"] for e in server.state.enrollments_now()}
    assert wanted and {k for k in wanted if after[k] == "cancelled"} == wanted
    assert {e["enrollmentId"]: e["status"] for e in before if e["enrollmentId"] not in wanted} == {
        k: after[k] for k in after if k not in wanted
    }


def test_a_kill_between_batches_then_a_rerun_cancels_exactly_the_selected(sequenzy, tmp_path):
    server = sequenzy(enrollments=2400, sequences=2)
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env, vendor="sequenzy").returncode == 0
    sequence = server.state.world.sequences[0].body["id"]
    select = (f"select distinct sequence_id, subscriber_id from sequenzy.enrollments"
              f" where sequence_id = '{sequence}' order by subscriber_id")  # fmt: skip
    before = server.state.enrollments_now()
    wanted = {e["enrollmentId"] for e in before
              if e["sequenceId"] == sequence and e["status"] in RUNNING}  # fmt: skip
    server.sandbox.faults.configure(FaultConfig(latency_ms=700))
    argv = cli(tmp_path, "cancel-enrollments", "--select", select, "--apply", "--no-refresh",
               "--max", "5000", command="act", vendor="sequenzy")  # fmt: skip
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip

    def first_batch_under_way() -> bool:  # its dry run answered, its cancel sent
        return sum(_posts(server).values()) >= 2

    assert kill_when(process, first_batch_under_way) == -signal.SIGKILL
    assert 2 <= sum(_posts(server).values()) < 4  # killed within the two batches
    server.sandbox.faults.configure(FaultConfig())
    again = _act(tmp_path, env, "cancel-enrollments", select, "--max", "5000", "--apply",
                 "--no-refresh")  # fmt: skip
    assert again.returncode == 0 and ", 0 failed" in again.stdout, again.stderr
    after = {e["enrollmentId"]: e["status"] for e in server.state.enrollments_now()}
    assert {k for k in wanted if after[k] == "cancelled"} == wanted
    assert {e["enrollmentId"]: e["status"] for e in before if e["enrollmentId"] not in wanted} == {
        k: after[k] for k in after if k not in wanted
    }


def test_pause_then_resume_subscribers_hold_exactly_the_selected_under_faults(sequenzy, tmp_path):
    """`pause-subscribers` holds the selected subscribers' enrollments on their step; a plan
    sends nothing; under 5xx, drops and cut answers the pause still ends with exactly them
    paused (safe to repeat: a paused one answers `already_paused`); a second apply changes
    nothing; `resume-subscribers` lets exactly them go on."""
    server = sequenzy(enrollments=1200)
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env, vendor="sequenzy").returncode == 0
    sequence = server.state.world.sequences[1].body["id"]
    select = (f"select distinct sequence_id, subscriber_id from sequenzy.enrollments"
              f" where sequence_id = '{sequence}' and status in ('active', 'waiting')"
              f" order by subscriber_id limit 40")  # fmt: skip
    chosen = {r[1] for r in DuckDBWarehouse(tmp_path / "warehouse.duckdb").rows(select)}
    before = {e["enrollmentId"]: e for e in server.state.enrollments_now()}
    wanted = {k for k, e in before.items()
              if e["sequenceId"] == sequence and e["subscriberId"] in chosen}  # fmt: skip
    planned = _act(tmp_path, env, "pause-subscribers", select, "--max", "100")
    assert planned.returncode == 0 and _posts(server) == Counter()
    server.sandbox.faults.configure(FaultConfig(server_error=0.2, drop=0.1, truncate=0.1, seed=7))
    paused = _act(tmp_path, env, "pause-subscribers", select, "--max", "100", "--apply",
                  "--no-refresh")  # fmt: skip
    assert paused.returncode == 0 and ", 0 failed" in paused.stdout, paused.stderr
    server.sandbox.faults.configure(FaultConfig())
    after = {e["enrollmentId"]: e["status"] for e in server.state.enrollments_now()}
    assert wanted and {k for k in after if after[k] == "paused" and before[k]["status"] != "paused"
                       } == wanted  # fmt: skip
    again = _act(tmp_path, env, "pause-subscribers", select, "--max", "100", "--apply",
                 "--no-refresh")  # fmt: skip
    assert again.returncode == 0 and "applied: 0 done" in again.stdout, again.stdout
    assert {e["enrollmentId"]: e["status"] for e in server.state.enrollments_now()} == after
    resumed = _act(tmp_path, env, "resume-subscribers", select, "--max", "100", "--apply",
                   "--no-refresh")  # fmt: skip
    assert resumed.returncode == 0 and ", 0 failed" in resumed.stdout, resumed.stderr
    final = {e["enrollmentId"]: e["status"] for e in server.state.enrollments_now()}
    assert all(final[k] in ("active", "waiting") for k in wanted)
    assert {k: final[k] for k in final if k not in wanted} == {
        k: after[k] for k in after if k not in wanted
    }
