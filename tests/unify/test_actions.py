"""`sequence-funnel act unify ...` against the sandbox: the plan changes nothing, an apply
reaches exactly the selected targets and a second one nothing, a create whose answer is lost
enrolls once, and the journal holds what the sandbox saw."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter

import pytest

from sandbox.unify import FaultConfig
from tests.support.cli import ROOT, cli, files_containing, run_cli
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.environment import cli_env

RUNNING = ("select id from unify.enrollments where status = 'IN_PROGRESS'"
           " and not is_paused order by id limit {n}")  # fmt: skip


def _writes(server) -> Counter:
    """Write requests the sandbox served, by method and path."""
    return Counter({k: v for k, v in server.sandbox.faults.by_path.items()
                    if not k.startswith("GET ")})  # fmt: skip


def _act(tmp_path, env, action, select, *args):
    return run_cli(tmp_path, env, action, "--select", select, *args, command="act")


def _loaded(tmp_path, server):
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env).returncode == 0
    return env, DuckDBWarehouse(tmp_path / "warehouse.duckdb")


def _enroll_free_people(server, count: int, sequence: int) -> tuple[list[str], str, str]:
    """`count` people with no enrollment in progress, a sequence, and the select that enrolls
    them there (from the first mailbox)."""
    rows = server.state.all_enrollments()
    busy = {r["person"]["id"] for r in rows if r["status"] != "FINISHED"}
    free = sorted({r["person"]["id"] for r in rows} - busy)[:count]
    sequence_id = server.state.world.sequences[sequence].id
    mailbox = server.state.world.mailboxes[0]["email"]
    select = " union all ".join(f"select '{p}' as person_id, '{sequence_id}' as sequence_id,"
                                f" '{mailbox}' as mailbox_emails" for p in free)  # fmt: skip
    return free, sequence_id, select


def test_a_plan_without_apply_changes_nothing_and_apply_acts_on_exactly_the_targets(
    unify, tmp_path
):
    server = unify(enrollments=400)
    env, warehouse = _loaded(tmp_path, server)
    chosen = [r[0] for r in warehouse.rows(RUNNING.format(n=7))]
    planned = _act(tmp_path, env, "pause-enrollment", RUNNING.format(n=7))
    assert planned.returncode == 0, planned.stderr
    assert "7 targets, each will pause the enrollment" in planned.stdout
    assert "add --apply" in planned.stdout and _writes(server) == Counter()
    named = _act(tmp_path, env, "pause-enrollment",
                 "select e.id, s.name as sequence from unify.enrollments e join unify.sequences s"
                 f" on s.id = e.sequence_id where e.id = '{chosen[0]}'")  # fmt: skip
    name = warehouse.rows("select s.name from unify.enrollments e join unify.sequences s"
                          f" on s.id = e.sequence_id where e.id = '{chosen[0]}'")[0][0]  # fmt: skip
    assert f"  id={chosen[0]}, sequence={name}" in named.stdout.splitlines()  # what one checks
    applied = _act(tmp_path, env, "pause-enrollment", RUNNING.format(n=7), "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "applied: 7 done, 0 skipped, 0 failed" in applied.stdout
    assert _writes(server) == Counter({f"POST /sequences/v1/enrollments/{i}/pause": 1
                                       for i in chosen})  # fmt: skip
    paused = {r["id"] for r in server.state.all_enrollments() if r["is_paused"]}
    assert set(chosen) <= paused
    # the refresh after the apply shows the new states in the warehouse
    shown = warehouse.rows(f"select count(*) from unify.enrollments where is_paused"
                           f" and id in ({', '.join(repr(i) for i in chosen)})")  # fmt: skip
    assert shown == [(7,)]
    again = _act(tmp_path, env, "pause-enrollment",
                 f"select id from unify.enrollments where id in"
                 f" ({', '.join(repr(i) for i in chosen)})", "--apply")  # fmt: skip
    assert again.returncode == 0 and "applied: 0 done, 7 skipped, 0 failed" in again.stdout
    assert sum(_writes(server).values()) == 7  # nothing sent a second time
    log = warehouse.rows("select target, phase, outcome from unify.actions_log"
                         " where action = 'pause-enrollment' order by logged_at")  # fmt: skip
    started = sorted(t for t, phase, _ in log if phase == "started")
    assert started == sorted(chosen)  # one start per call the sandbox saw
    assert Counter(o for _, phase, o in log if phase == "finished") == {"done": 7, "skipped": 7}


def test_a_create_whose_answer_is_lost_enrolls_the_person_once(unify, tmp_path):
    """Every write's answer cut in half (the create happened, the client cannot tell): before
    retrying, the client asks, and finds the enrollment. A blind retry would enroll the person
    twice (the sandbox counts a not-yet-started enrollment as not active, as the vendor)."""
    server = unify(enrollments=300)
    env, _ = _loaded(tmp_path, server)
    (free,), sequence, select = _enroll_free_people(server, 1, 0)
    server.sandbox.faults.configure(FaultConfig(truncate=1.0, writes_only=True))
    cut = _act(tmp_path, env, "enroll", select, "--apply", "--no-refresh")
    assert cut.returncode == 0, cut.stderr
    assert "applied: 1 done, 0 skipped, 0 failed" in cut.stdout
    mine = [r for r in server.state.all_enrollments()
            if r["person"]["id"] == free and r["sequence"]["id"] == sequence]  # fmt: skip
    assert len(mine) == 1
    assert _writes(server) == Counter({"POST /sequences/v1/enrollments": 1})
    server.sandbox.faults.configure(FaultConfig())
    again = _act(tmp_path, env, "enroll", select, "--apply", "--no-refresh")
    assert again.returncode == 0 and "applied: 0 done, 1 skipped" in again.stdout
    assert _writes(server) == Counter({"POST /sequences/v1/enrollments": 1})


def _killed_then_rerun(tmp_path, env, action, select, delay):
    process = subprocess.Popen(cli(tmp_path, action, "--select", select, "--apply",
                                   "--no-refresh", "--max", "100", command="act"), cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    again = _act(tmp_path, env, action, select, "--apply", "--no-refresh", "--max", "100")
    assert again.returncode == 0, again.stderr
    return process.returncode, again


@pytest.mark.parametrize("seed", [3, 4])
def test_a_kill_at_a_random_point_then_a_rerun_acts_on_each_target_once(unify, tmp_path, seed):
    server = unify(enrollments=400, faults=FaultConfig(latency_ms=60))
    env, warehouse = _loaded(tmp_path, server)
    chosen = [r[0] for r in warehouse.rows(RUNNING.format(n=30))]
    select = RUNNING.format(n=30)
    code, again = _killed_then_rerun(tmp_path, env, "pause-enrollment", select,
                                     random.Random(seed).uniform(2.0, 4.5))  # fmt: skip
    assert code == -signal.SIGKILL, again.stdout  # killed while acting
    # each target once; a request cut off by the kill may reach the sandbox without effect,
    # and is then sent again by the rerun (which found the enrollment not paused)
    sent = _writes(server)
    assert set(sent) == {f"POST /sequences/v1/enrollments/{i}/pause" for i in chosen}
    assert sum(sent.values()) <= len(chosen) + 1
    assert {r["id"] for r in server.state.all_enrollments() if r["is_paused"]} >= set(chosen)


def test_a_kill_while_enrolling_then_a_rerun_enrolls_each_person_once(unify, tmp_path):
    server = unify(enrollments=400, faults=FaultConfig(latency_ms=60))
    env, _ = _loaded(tmp_path, server)
    free, sequence, select = _enroll_free_people(server, 20, 1)

    def theirs() -> Counter:
        return Counter(r["person"]["id"] for r in server.state.all_enrollments()
                       if r["sequence"]["id"] == sequence and r["person"]["id"] in free)  # fmt: skip

    before = theirs()  # some were in the sequence before, and finished
    code, again = _killed_then_rerun(tmp_path, env, "enroll", select, 3.0)
    assert code == -signal.SIGKILL, again.stdout
    assert theirs() - before == Counter(dict.fromkeys(free, 1))
    # a create cut off by the kill before it took effect is sent again: at most one
    assert 20 <= _writes(server)["POST /sequences/v1/enrollments"] <= 21


def test_one_targets_refusal_is_recorded_and_the_rest_go_on(unify, tmp_path):
    server = unify(enrollments=300)
    env, _ = _loaded(tmp_path, server)
    select = ("(select id from unify.enrollments where status = 'FINISHED' and not is_canceled"
              " order by id limit 2) union all (" + RUNNING.format(n=3) + ")")  # fmt: skip
    some = _act(tmp_path, env, "cancel-enrollment", select, "--apply", "--no-refresh")
    assert some.returncode == 5, some.stderr  # some failed
    assert "applied: 3 done, 0 skipped, 2 failed" in some.stdout
    assert some.stdout.count("the enrollment has finished") == 2
    finished = ("select id from unify.enrollments where status = 'FINISHED' and not is_canceled"
                " order by id limit 2")  # fmt: skip
    none = _act(tmp_path, env, "cancel-enrollment", finished, "--apply", "--no-refresh")
    assert none.returncode == 6, none.stderr  # every one failed
    assert sum(_writes(server).values()) == 3


@pytest.mark.parametrize(
    ("select", "args", "needle"),
    [
        ("select id from unify.enrollments", ("--max", "10"), "more than --max 10"),
        ("select person_id from unify.enrollments limit 1", (), "it has no id"),
        ("select id from unify.no_such_table", (), "--select failed"),
    ],
)
def test_a_bad_select_or_a_plan_too_large_is_one_line_exit_2_and_nothing_is_sent(
    unify, tmp_path, select, args, needle
):
    server = unify(enrollments=200)
    env, _ = _loaded(tmp_path, server)
    result = _act(tmp_path, env, "pause-enrollment", select, "--apply", *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], lines
    assert _writes(server) == Counter()


def test_a_rejected_key_stops_at_once_and_is_never_written(unify, tmp_path):
    server = unify(enrollments=200)
    env, _ = _loaded(tmp_path, server)
    env["SOURCES__UNIFY__API_KEY"] = "wrong-key-0123456789"
    result = _act(tmp_path, env, "pause-sequence", "select id from unify.sequences", "--apply")
    assert result.returncode == 2, result.stderr
    assert "SOURCES__UNIFY__API_KEY" in result.stderr and "wrong-key" not in result.stderr
    assert _writes(server) == Counter()
    assert files_containing(tmp_path, "wrong-key-0123456789") == []


def test_the_python_api_acts_and_journals_on_duckdb_and_postgres(unify, tmp_path, warehouse,
                                                                 monkeypatch):  # fmt: skip
    from pipelines.acting import act
    from tests.unify.loading import Loader

    server = unify(enrollments=300)
    Loader(tmp_path, server.base_url, warehouse).run()
    for name, value in cli_env(server.base_url, tmp_path).items():
        if name.startswith("SOURCES__"):
            monkeypatch.setenv(name, value)
    sequences = "select id from unify.sequences where not is_paused order by id limit 2"
    chosen = [r[0] for r in warehouse.rows(sequences)]
    plan = act("unify", "pause-sequence", sequences, destination=warehouse.destination())
    assert not plan.applied and len(plan.plan.targets) == 2 and _writes(server) == Counter()
    done = act("unify", "pause-sequence", sequences, apply=True,
               destination=warehouse.destination())  # fmt: skip
    assert done.exit_code == 0 and done.outcomes == Counter({"done": 2})
    assert _writes(server) == Counter({f"POST /sequences/v1/sequences/{i}/pause": 1
                                       for i in chosen})  # fmt: skip
    log = warehouse.rows("select target, phase, outcome, http_status from unify.actions_log"
                         " order by logged_at")  # fmt: skip
    assert sorted(log) == sorted([(i, "started", None, None) for i in chosen]
                                 + [(i, "finished", "done", 200) for i in chosen])  # fmt: skip


def test_a_create_that_times_out_enrolls_the_person_once(unify, tmp_path):
    """The sandbox makes the create 0.3 s after the client gave up on it (its timeout is half a
    second): the client waits as long again before it asks whether the create took effect. A
    retry without waiting, or without asking, enrolls the person twice."""
    server = unify(enrollments=300)
    env, _ = _loaded(tmp_path, server)
    env["SOURCES__UNIFY__REQUEST_TIMEOUT"] = "0.5"
    (free,), sequence, select = _enroll_free_people(server, 1, 0)
    server.sandbox.faults.configure(FaultConfig(slow=1.0, slow_seconds=0.8, writes_only=True))
    result = _act(tmp_path, env, "enroll", select, "--apply", "--no-refresh")
    assert result.returncode == 0, result.stderr
    assert "applied: 1 done" in result.stdout
    time.sleep(1.0)  # any request still held by the sandbox has landed
    mine = [r for r in server.state.all_enrollments()
            if r["person"]["id"] == free and r["sequence"]["id"] == sequence]  # fmt: skip
    assert len(mine) == 1


def test_under_faults_enroll_and_pause_reach_the_same_end_state(unify, tmp_path):
    """A fifth of the answers fail (5xx, dropped, cut, broken JSON, 429): every selected person
    enrolled once, every selected enrollment paused, each write sent until it took effect."""
    server = unify(enrollments=400)
    env, warehouse = _loaded(tmp_path, server)
    free, sequence, enroll = _enroll_free_people(server, 8, 2)
    rows = server.state.all_enrollments()
    before = Counter(r["person"]["id"] for r in rows if r["sequence"]["id"] == sequence)
    chosen = [r[0] for r in warehouse.rows(RUNNING.format(n=8))]
    server.sandbox.faults.configure(FaultConfig(server_error=0.06, drop=0.04, truncate=0.04,
                                                bad_json=0.03, rate_limited=0.03, seed=5))  # fmt: skip
    enrolled = _act(tmp_path, env, "enroll", enroll, "--apply", "--no-refresh")
    paused = _act(tmp_path, env, "pause-enrollment", RUNNING.format(n=8), "--apply")
    assert enrolled.returncode == 0 and paused.returncode == 0, enrolled.stderr + paused.stderr
    after = server.state.all_enrollments()
    now = Counter(r["person"]["id"] for r in after if r["sequence"]["id"] == sequence)
    assert {p: now[p] - before[p] for p in free} == dict.fromkeys(free, 1)
    assert {r["id"] for r in after if r["is_paused"]} >= set(chosen)
    assert sum(server.sandbox.faults.stats[k] for k in ("server_error", "drop", "truncate")) > 0


def test_a_person_active_in_another_sequence_is_reported_not_failed(unify, tmp_path):
    """The vendor's 409: one active sequence per person. The target is skipped with the
    sequence it is active in, and the rest of the batch goes on."""
    server = unify(enrollments=300)
    env, _ = _loaded(tmp_path, server)
    active = next(r for r in server.state.all_enrollments()
                  if r["status"] == "IN_PROGRESS" and r["started_at"])  # fmt: skip
    other = next(s.id for s in server.state.world.sequences if s.id != active["sequence"]["id"])
    mailbox = server.state.world.mailboxes[0]["email"]
    (free,), _, _ = _enroll_free_people(server, 1, 0)
    select = (f"select '{active['person']['id']}' as person_id, '{other}' as sequence_id,"
              f" '{mailbox}' as mailbox_emails union all select '{free}', '{other}',"
              f" '{mailbox}'")  # fmt: skip
    result = _act(tmp_path, env, "enroll", select, "--apply", "--no-refresh")
    assert result.returncode == 0, result.stderr
    assert "applied: 1 done, 1 skipped, 0 failed" in result.stdout
    log = DuckDBWarehouse(tmp_path / "warehouse.duckdb").rows(
        "select http_status, message from unify.actions_log where outcome = 'skipped'"
    )
    assert log == [(409, f"already active in sequence {active['sequence']['id']}"
                         f" (enrollment {active['id']})")]  # fmt: skip
