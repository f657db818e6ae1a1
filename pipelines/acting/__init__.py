"""Acting on the funnel: a SQL query over the loaded tables names the targets, the plan is
printed, and only with `apply` is each target acted on, once (docs/actions.md).

    from pipelines.acting import act
    result = act("unify", "pause-enrollment", "select id from unify.enrollments where ...")
    print("\\n".join(result.lines)); result = act(..., apply=True)

Each target is first read from the API: one already as wanted is skipped, one that cannot be
acted on is recorded as failed; a call is journaled before it is made and after it answered
(`actions_log`), and a call left unfinished by a kill or a timeout is looked up before
anything is sent again. One target's refusal is recorded and the rest go on; a rejected key
stops the run at once.
"""

from __future__ import annotations

import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pipelines.acting.journal import Journal
from pipelines.acting.plan import Plan, select_targets
from pipelines.workspaces import DEFAULT, Workspace
from sources.common.actions import Action, Answer, Outcome, State, Target
from sources.common.errors import ConfigurationError
from sources.common.http import ApiClient
from sources.common.vendors import VendorSpec

DEFAULT_MAX = 25  # targets a plan may have unless --max says more
SOME_FAILED, ALL_FAILED = 5, 6  # exit codes: some targets failed, or every one


@dataclass
class ActResult:
    plan: Plan
    applied: bool = False
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # "target: why", the first few
    by_target: dict[str, str] = field(default_factory=dict)  # target key -> its outcome

    @property
    def exit_code(self) -> int:
        failed = self.outcomes[Outcome.FAILED.value]
        if not failed:
            return 0
        return ALL_FAILED if failed == sum(self.outcomes.values()) else SOME_FAILED

    @property
    def lines(self) -> list[str]:
        if not self.applied:
            return [*self.plan.lines(), "nothing done: add --apply to act"]
        counts = ", ".join(f"{self.outcomes[o.value]} {o.value}" for o in Outcome)
        return [*self.plan.lines(), f"applied: {counts}", *(f"  {f}" for f in self.failures)]


def apply_plan(plan: Plan, client: ApiClient, journal: Journal, result: ActResult) -> None:
    pending = journal.pending()
    action = plan.action
    if action.batch is None:
        for target in plan.targets:
            _count(result, target, _act_once(action, client, journal, target, pending))
    else:
        for batch in _batches(action, plan.targets):
            for target in batch:
                journal.start(target.key, None)
            answers = action.batch(client, batch)
            for target in batch:
                answer = answers[target.key]
                if answer.outcome is Outcome.SKIPPED and target.key in pending:
                    answer = Answer(Outcome.DONE, answer.status, answer.message)  # an earlier run
                journal.finish(target.key, answer.outcome.value, answer.status, answer.message)
                _count(result, target, answer)
    result.applied = True


def _batches(action: Action, targets: list[Target]) -> list[list[Target]]:
    groups: dict[str, list[Target]] = {}
    for target in targets:
        groups.setdefault(action.group(target), []).append(target)
    size = max(1, action.batch_size)
    return [g[i : i + size] for g in groups.values() for i in range(0, len(g), size)]


def _count(result: ActResult, target: Target, answer: Answer) -> None:
    result.outcomes[answer.outcome.value] += 1
    result.by_target[target.key] = answer.outcome.value
    if answer.outcome is Outcome.FAILED and len(result.failures) < 10:
        result.failures.append(f"{target.key}: {answer.message}")


def _act_once(action: Action, client: ApiClient, journal: Journal, target: Target,
              pending: dict[str, str | None]) -> Answer:  # fmt: skip
    unfinished = target.key in pending
    found = action.check(client, target, (pending[target.key] or "") if unfinished else None)
    if found.state is not State.TODO:
        done = Outcome.DONE if unfinished else Outcome.SKIPPED
        answer = Answer(done if found.state is State.DONE else Outcome.FAILED, None, found.message)
    else:
        journal.start(target.key, found.seen_at)
        answer = action.call(client, target, found.seen_at or "")
    journal.finish(target.key, answer.outcome.value, answer.status, answer.message)
    return answer


def action_of(chosen: VendorSpec, action_name: str) -> Action:
    """The vendor's action of that name; a ConfigurationError naming those it has."""
    action = chosen.actions.get(action_name)
    if action is None or chosen.actions_client is None:
        known = ", ".join(chosen.actions) or "none yet"
        raise ConfigurationError(f"{chosen.title} has no action {action_name!r} (it has: {known})")
    return action


@contextmanager
def on_dataset(
    vendor: str,
    destination: Any,
    dataset: str,
    wait: float = 0.0,
    say: Callable[[str], None] | None = None,
) -> Iterator[Any]:
    """An open sql client of `dataset`, in the DuckDB file's turn (pipelines.turns: waiting up
    to `wait` seconds for it, `say` hearing the wait): what an action selects from and journals
    in. No pipeline state is kept. A DuckDB file is opened at DuckDB's defaults, not a load's
    memory limit: a select may read the funnel's views over every vendor's rows."""
    from pipelines import runner, turns
    from pipelines.destinations import for_reading, resolve_destination

    chosen = resolve_destination(destination) if isinstance(destination, str) else destination
    with tempfile.TemporaryDirectory(prefix="sequence-funnel-act-") as scratch:
        pipeline = runner.make_pipeline(f"{vendor}_actions", for_reading(chosen), dataset, scratch)
        with turns.one_writer(pipeline, wait, say), pipeline.sql_client() as sql:
            yield sql


def apply_in(sql: Any, chosen: VendorSpec, workspace: Workspace, result: ActResult) -> None:
    """Apply the result's plan through the workspace's own key and settings, journaled in the
    dataset `sql` is open on."""
    assert chosen.actions_client is not None
    journal = Journal(sql, uuid.uuid4().hex, chosen.name, result.plan.action.name)
    with chosen.actions_client(**workspace.arguments) as client:
        apply_plan(result.plan, client, journal, result)


def act(
    vendor_name: str,
    action_name: str,
    select: str,
    *,
    apply: bool = False,
    most: int = DEFAULT_MAX,
    destination: Any = "duckdb",
    dataset_name: str | None = None,
    workspace: Workspace | None = None,
    wait: float = 0.0,
    say: Callable[[str], None] | None = None,
) -> ActResult:
    """Plan `action_name` for the targets `select` names in the workspace's dataset (the
    vendor's single one unless given); with `apply`, act on them through the workspace's own
    key and settings, in the DuckDB file's turn (pipelines.turns: it waits up to `wait`
    seconds for it, and `say` hears the wait). Raises ConfigurationError (one line) for a bad
    select or plan."""
    from sources.common.vendors import spec

    chosen = spec(vendor_name)
    action = action_of(chosen, action_name)
    workspace = workspace or Workspace(chosen.name, DEFAULT)
    dataset = dataset_name or workspace.dataset
    with on_dataset(chosen.name, destination, dataset, wait, say) as sql:
        result = ActResult(select_targets(sql, chosen.name, action, select, most, workspace.name))
        if apply:
            apply_in(sql, chosen, workspace, result)
    return result


def refresh_argv(
    vendor: str,
    destination: str,
    workspace: str | None,
    *,
    dataset_name: str | None = None,
    pipeline_name: str | None = None,
    pipelines_dir: str | None = None,
) -> list[str]:
    """`sequence-funnel load <vendor> --after-act` of the workspace acted in, after an apply
    that changed something: the warehouse shows the new states (and runs no guard)."""
    argv = ["load", vendor, "--quiet", "--after-act", "--destination", destination]
    named = {"--workspace": workspace, "--dataset-name": dataset_name,
             "--pipeline-name": pipeline_name, "--pipelines-dir": pipelines_dir}  # fmt: skip
    for flag, value in named.items():
        argv += [flag, value] if value else []
    return argv
