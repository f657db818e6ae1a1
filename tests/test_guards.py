"""Guards (pipelines.guards, docs/guards.md) against the three sandboxes, loaded as a schedule
loads them: the built-in guard's plan names exactly the people still emailed after they
answered (the worlds' truth), a guard runs after each load of a tool it acts in, its first run
only plans, a guard without `apply: true` never writes, an apply acts on each target once
(through a kill -9 too) and the run after it plans nothing; a guard file that cannot be one is
refused in one line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipelines.guards.files import read_guards
from sandbox.common.faults import FaultConfig
from sources.common.errors import ConfigurationError
from tests.funnel import truth
from tests.instantly.environment import cli_env as instantly_env
from tests.sequenzy.environment import cli_env as sequenzy_env
from tests.support.cli import BUILDS_MODELS, ROOT, clean_env, in_process, kill_when, run_cli
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.environment import cli_env as unify_env

GUARDED = ("unify", "instantly", "sequenzy")  # the tools the built-in guard acts in


def _environment(worlds: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for name, made in (("unify", unify_env), ("instantly", instantly_env),
                       ("sequenzy", sequenzy_env)):  # fmt: skip
        env |= made(worlds[name].base_url, tmp_path)
    return env | BUILDS_MODELS | {"GUARDS__DIR": str(tmp_path / "guards")}


def _write_guard(tmp_path: Path, text: str, name: str = "stop-after-answer") -> None:
    (tmp_path / "guards").mkdir(exist_ok=True)
    (tmp_path / "guards" / f"{name}.yml").write_text(text)


def _guards(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "pipelines.cli", "guards",
            "--pipelines-dir", str(tmp_path / "pipelines"), *args]  # fmt: skip
    return in_process(argv, env)


def _writes(worlds: dict[str, Any]) -> Counter:
    """Every call that is no read, to any sandbox, by method and path."""
    return Counter({f"{name} {path}": n for name, server in worlds.items()
                    for path, n in server.sandbox.faults.by_path.items()
                    if not path.startswith("GET ") and not path.endswith("/leads/list")})  # fmt: skip


def _truth(worlds: dict[str, Any]) -> list[truth.Enrollment]:
    return [*truth.unify(worlds["unify"].state, False)[0],
            *truth.instantly(worlds["instantly"].state)[0],
            *truth.sequenzy(worlds["sequenzy"].state)[0]]  # fmt: skip


def _expected(enrollments: list[truth.Enrollment]) -> set[tuple[str, str, str]]:
    """(tool, sequence key, person) of each target of the built-in guard, from the worlds; in
    Instantly, which blocks a person in every campaign at once, (tool, "", person)."""
    stopped = truth.stopped_after_answer(enrollments)
    return {(e.vendor, "" if e.vendor == "instantly" else e.sequence, e.person)
            for e in enrollments if e.key in stopped and e.vendor in GUARDED}  # fmt: skip


def _planned(runs: list[dict[str, Any]], enrollments: dict[str, str]) -> set[tuple[str, str, str]]:
    """The same, from a JSON summary's guard runs (`enrollments`: Unify's id -> sequence)."""
    found = set()
    for run in runs:
        for target in run["targets"]:
            if run["vendor"] == "unify":
                sequence = f"unify:{enrollments[target['id']]}"
            elif run["vendor"] == "instantly":
                assert target["email"] == target["person_key"]  # one block per person
                sequence = ""
            else:
                sequence = f"sequenzy:{target['sequence_id']}"
            found.add((run["vendor"], sequence, target["person_key"]))
    return found


def _paused(worlds: dict[str, Any], runs: list[dict[str, Any]]) -> bool:
    """Whether every target of the runs is held by its tool now."""
    unify = {e["id"]: e for e in worlds["unify"].state.all_enrollments()}
    sequenzy = {(e["sequenceId"], e["subscriberId"]): e["status"]
                for e in worlds["sequenzy"].state.enrollments_now()}  # fmt: skip
    blocked = Counter(e["bl_value"] for e in worlds["instantly"].state.world.blocklist.entries)
    for run in runs:
        for t in run["targets"]:
            if run["vendor"] == "instantly" and blocked[t["email"]] != 1:  # once, not twice
                return False
            if run["vendor"] == "unify" and not unify[t["id"]]["is_paused"]:
                return False
            if run["vendor"] == "sequenzy" and sequenzy[(t["sequence_id"], t["subscriber_id"])] \
                    != "paused":  # fmt: skip
                return False
    return True


def _load_all(tmp_path: Path, env: dict[str, str]) -> list[str]:
    out = []
    for name in ("unify", "instantly", "sequenzy"):
        loaded = run_cli(tmp_path, env, "--json-summary", str(tmp_path / f"{name}.json"),
                         vendor=name)  # fmt: skip
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        out.append(loaded.stdout)
    return out


def _worked_example() -> tuple[str, list[list[str]]]:
    """docs/guards.md's worked example, as written: the guard file, and the commands in order."""
    text = (ROOT / "docs" / "guards.md").read_text()
    guard = re.findall(r"```yaml\n# guards/stop-after-answer.yml\n(.*?)```", text, re.S)[0]
    block = text.split(guard, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].split()[1:] for line in block.strip().splitlines()]
    assert all(line.startswith(".venv/bin/sequence-funnel ") for line in block.strip().splitlines())
    return guard, commands


def test_the_worked_example_plans_the_people_still_emailed_after_they_answered_then_acts_once(
    worlds, tmp_path
):
    env = _environment(worlds, tmp_path)
    assert "guard " not in "".join(_load_all(tmp_path, env))  # the built-in guard is off
    guard, commands = _worked_example()
    _write_guard(tmp_path, guard)
    listed, preview, first, applied = commands
    assert listed == ["guards"] and preview == ["guards", "--plan"]
    assert first == applied == ["guards", "--run"]

    shown = _guards(tmp_path, env, *listed[1:])
    assert shown.returncode == 0 and "stop-after-answer (on, applies;" in shown.stdout
    unify_sequences = {e["id"]: e["sequence"]["id"] for e in
                       worlds["unify"].state.all_enrollments()}  # fmt: skip
    plan = _guards(tmp_path, env, *preview[1:], "--json-summary", str(tmp_path / "plan.json"))
    assert plan.returncode == 0, plan.stdout + plan.stderr
    planned = json.loads((tmp_path / "plan.json").read_text())["guards"]
    enrollments = _truth(worlds)
    expected = _expected(enrollments)
    assert expected, "the worlds hold people still emailed after they answered"
    assert _planned(planned, unify_sequences) == expected
    assert {r["vendor"] for r in planned} == set(GUARDED)
    # the people still emailed after a positive reply, where it acts: the funnel's own count
    positive = {t["person_key"] for r in planned for t in r["targets"] if t["answer"] == "positive"}
    after_positive = {e.person for e in enrollments if e.vendor in GUARDED and e.state == "active"
                      and any(o.positive and o.person == e.person and o.sequence != e.sequence
                              for o in enrollments)}  # fmt: skip
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    still = {p for (p,) in warehouse.rows(
        "select person_key from funnel.people where emailed_after_positive"
    )}  # fmt: skip
    assert positive == after_positive and positive and positive <= still

    ran = _guards(tmp_path, env, *first[1:])
    assert ran.returncode == 0 and ran.stdout.count("planned only (its first run)") == 3
    assert not _writes(worlds)

    done = _guards(tmp_path, env, *applied[1:], "--json-summary", str(tmp_path / "run.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    runs = json.loads((tmp_path / "run.json").read_text())["guards"]
    assert _planned(runs, unify_sequences) == expected
    assert all(t["outcome"] == "done" for r in runs for t in r["targets"])
    assert _paused(worlds, runs)
    unify_writes = Counter(p.split("/")[-2] for p in _writes(worlds).elements() if "unify" in p)
    assert unify_writes == Counter(t["id"] for r in runs if r["vendor"] == "unify"
                                   for t in r["targets"])  # each paused once  # fmt: skip
    blocks = sum(len(r["targets"]) for r in runs if r["vendor"] == "instantly")
    assert _writes(worlds)["instantly POST /api/v2/block-lists-entries"] == blocks > 0
    assert done.stdout.count("--after-act") == 3  # read again: the funnel shows the pauses

    writes = _writes(worlds)
    after = _guards(tmp_path, env, "--run", "--json-summary", str(tmp_path / "after.json"))
    assert after.returncode == 0 and after.stdout.count("applied: nothing to do") == 3
    assert [r["targets"] for r in json.loads((tmp_path / "after.json").read_text())["guards"]] \
        == [[], [], []]  # fmt: skip
    assert _writes(worlds) == writes


def test_a_guard_runs_after_each_load_never_writes_without_apply_and_acts_once_across_a_kill(
    worlds, tmp_path
):
    env = _environment(worlds, tmp_path)
    guard, _ = _worked_example()
    _write_guard(tmp_path, guard.replace("apply: true\n", ""))
    unify_out, instantly_out, sequenzy_out = _load_all(tmp_path, env)
    first = "planned only (its first run)"
    assert "guard stop-after-answer (unify pause-enrollment, workspace default): " + first \
        in unify_out  # fmt: skip
    assert "guard stop-after-answer (instantly block-email, workspace default): " + first \
        in instantly_out  # fmt: skip
    assert "guard stop-after-answer (sequenzy pause-subscribers, workspace default): " + first \
        in sequenzy_out  # fmt: skip
    summary = json.loads((tmp_path / "sequenzy.json").read_text())
    assert summary["guards"][0]["mode"] == "planned" and summary["guards"][0]["targets"]
    again = _guards(tmp_path, env, "--run")
    assert again.stdout.count("planned only (its file has no apply: true)") == 3
    assert not _writes(worlds)  # never, without apply: true

    _write_guard(tmp_path, guard)
    for server in worlds.values():
        server.sandbox.faults.configure(FaultConfig(latency_ms=150))
    argv = [sys.executable, "-m", "pipelines.cli", "guards", "--run",
            "--pipelines-dir", str(tmp_path / "pipelines")]  # fmt: skip
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    kill_when(process, lambda: bool(_writes(worlds)))  # killed once it has written
    for server in worlds.values():
        server.sandbox.faults.configure(FaultConfig())
    rerun = _guards(tmp_path, env, "--run", "--json-summary", str(tmp_path / "run.json"))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    runs = json.loads((tmp_path / "run.json").read_text())["guards"]
    targets = {(r["vendor"], t["target"]) for r in runs for t in r["targets"]}
    assert targets and _paused(worlds, runs)
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    done: Counter = Counter()
    for vendor in GUARDED:
        done += Counter((vendor, t) for (t,) in warehouse.rows(
            f"select target from {vendor}.actions_log where phase = 'finished'"
            " and outcome = 'done'"
        ))  # fmt: skip
    assert done == Counter(targets)  # each acted on once, across the kill
    assert _guards(tmp_path, env, "--run").stdout.count("applied: nothing to do") == 3


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("enabled: yes please\nact: {}\n", "enabled must be bool"),
        ("max: true\n", "max must be int"),
        ("max: 0\n", "max must be 1 or more"),
        ("use: no-such-guard\n", "use: 'no-such-guard' is no built-in guard"),
        ("when: always\n", "unknown key when"),
        ("act:\n  nosuchtool: {action: pause, select: select 1}\n", "act.nosuchtool: no such tool"),
        ("act:\n  unify: {action: explode, select: select 1}\n", "has no action 'explode'"),
        ("act:\n  unify: {action: pause-enrollment}\n", "must have exactly: action, select"),
        ("- a list\n", "a guard file is a mapping"),
        ("act: [unclosed\n", "not a guard file"),
    ],
)
def test_a_guard_file_that_cannot_be_one_is_refused_in_one_line_naming_it(text, said, tmp_path):
    name = "mine" if text.startswith(("act", "- ")) else "stop-after-answer"
    _write_guard(tmp_path, text, name)
    with pytest.raises(ConfigurationError, match=said) as refused:
        read_guards(tmp_path / "guards")
    assert f"{name}.yml" in str(refused.value) and "\n" not in str(refused.value)
    env = clean_env() | {"GUARDS__DIR": str(tmp_path / "guards")}
    listed = _guards(tmp_path, env)
    assert listed.returncode == 2 and listed.stderr.count("\n") == 1 and said in listed.stderr


def test_a_file_enables_a_built_in_guard_by_its_name_or_by_use(tmp_path):
    _write_guard(tmp_path, "use: stop-after-answer\nenabled: true\nmax: 3\n", "after-answers")
    guards = {g.name: g for g in read_guards(tmp_path / "guards")}
    assert set(guards) == {"after-answers"}  # the built-in it uses is not listed twice
    mine = guards["after-answers"]
    assert mine.enabled and not mine.apply and mine.most == 3 and set(mine.parts) == set(GUARDED)
    builtin = read_guards(tmp_path / "nowhere")
    assert [(g.name, g.enabled, g.builtin) for g in builtin] == [("stop-after-answer", False, True)]
    assert builtin[0].parts == mine.parts


def test_every_guard_file_the_docs_show_is_one(tmp_path):
    text = (ROOT / "docs" / "guards.md").read_text()
    shown = re.findall(r"```yaml\n# guards/(.*?)\.yml\n(.*?)```", text, re.S)
    assert len(shown) >= 2
    for name, body in shown:
        _write_guard(tmp_path, body, name)
    guards = {g.name: g for g in read_guards(tmp_path / "guards")}
    assert set(guards) == {name for name, _ in shown}
    assert guards["pause-bounced-mailboxes"].parts["unify"].action == "pause-enrollment"
