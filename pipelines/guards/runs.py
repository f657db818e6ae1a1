"""A guard run in one tool's workspace: its select planned as `act` plans one (its columns, its
max, one workspace), then applied with `act`'s journal, once per target, unless it is the
guard's first run here (or the first since its action or select changed: a plan is shown before
anything is done), or its file does not say `apply: true`. A guard's refusal or failure is its
own: the load it follows stands."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pipelines import acting, errors
from pipelines.acting.plan import select_targets
from pipelines.funnel import funnel_dataset
from pipelines.guards.files import Guard, GuardPart
from pipelines.guards.log import APPLIED, FAILED, PLANNED, REFUSED, GuardsLog
from pipelines.workspaces import Workspace
from sources.common.actions import Outcome
from sources.common.errors import ConfigurationError
from sources.common.vendors import VendorSpec

FIRST_RUN, NOT_APPLIED, PREVIEW = "its first run", "its file has no apply: true", "a preview"


@dataclass
class GuardRun:
    guard: str
    vendor: str
    workspace: str
    action: str
    mode: str = PLANNED  # planned, applied, refused (a plan that cannot be), failed (acting)
    why: str = ""  # why it only planned: FIRST_RUN, NOT_APPLIED, PREVIEW
    # each target: its key, the select's columns, and once applied its outcome
    targets: list[dict[str, Any]] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    plan: list[str] = field(default_factory=list)  # the plan's lines: count, sample
    failures: list[str] = field(default_factory=list)  # "target: why", the first few
    error: str | None = None
    exit_code: int = 0

    @property
    def acted(self) -> int:
        """Targets acted on: what a refresh must read again."""
        return self.outcomes.get(Outcome.DONE.value, 0)

    def lines(self) -> list[str]:
        if not self.action:  # the guard files themselves
            return [f"guards: {self.error}"]
        head = f"guard {self.guard} ({self.vendor} {self.action}, workspace {self.workspace}): "
        if self.error:
            return [head + f"{self.mode}: {self.error}"]
        if self.mode == PLANNED:
            return [head + f"planned only ({self.why})", *(f"  {line}" for line in self.plan)]
        counts = ", ".join(f"{self.outcomes.get(o.value, 0)} {o.value}" for o in Outcome)
        done = f"applied: {counts}" if self.targets else "applied: nothing to do"
        return [head + done, *(f"  {line}" for line in self.plan[1:]),
                *(f"  failed: {f}" for f in self.failures)]  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_part(
    guard: Guard,
    part: GuardPart,
    chosen: VendorSpec,
    space: Workspace,
    *,
    destination: Any,
    funnel: str,
    dataset: str | None = None,
    preview: bool = False,
    wait: float = 0.0,
    say: Callable[[str], None] | None = None,
) -> GuardRun:
    """The guard's part for `chosen` in the workspace (its dataset unless `dataset` says
    another), in the DuckDB file's turn; with `preview`, the plan only and nothing written (not
    even the log). The funnel's dataset is `funnel`. Never raises: a refusal or failure is in
    the run (one line, an exit code)."""
    run = GuardRun(guard.name, part.vendor, space.name, part.action)
    where = f"{guard.path} act.{part.vendor}"
    secrets = [*errors.configured_secrets(*chosen.secret_keys), *space.secrets]
    try:
        with acting.on_dataset(chosen.name, destination, dataset or space.dataset, wait,
                               say) as sql:  # fmt: skip
            with sql.with_alternative_dataset_name(funnel):
                funnel_name = sql.fully_qualified_dataset_name()
            query = part.query(funnel_name, sql.fully_qualified_dataset_name(), space.name)
            log = None if preview else GuardsLog(sql)
            try:
                action = acting.action_of(chosen, part.action)
                plan = select_targets(sql, chosen.name, action, query, guard.most, space.name,
                                      where)  # fmt: skip
            except ConfigurationError as exc:
                run.mode, run.error, run.exit_code = REFUSED, str(exc), exc.exit_code
            else:
                run.plan = plan.lines()
                run.targets = [{"target": t.key, **_plain(t.row), **_plain(plan.shown[t.key])}
                               for t in plan.targets]  # fmt: skip
                _act(run, guard, part, chosen, space, sql, log, acting.ActResult(plan))
            if log is not None:
                log.write(uuid.uuid4().hex, guard.name, part.fingerprint, part.vendor,
                          space.name, part.action, run.mode, len(run.targets), run.outcomes,
                          run.error)  # fmt: skip
    except Exception as exc:  # the destination, the API: what `act` would exit with
        message, code = errors.explain(exc, secrets)
        run.mode, run.error, run.exit_code = FAILED, message, code
    return run


def _act(run: GuardRun, guard: Guard, part: GuardPart, chosen: VendorSpec, space: Workspace,
         sql: Any, log: GuardsLog | None, result: acting.ActResult) -> None:  # fmt: skip
    """Apply the plan when the guard may: not in a preview, not on its first run, and only with
    `apply: true`; else say why it only planned."""
    if log is None:
        run.why = PREVIEW
    elif not log.ran(guard.name, part.fingerprint, space.name):
        run.why = FIRST_RUN
    elif not guard.apply:
        run.why = NOT_APPLIED
    else:
        run.mode = APPLIED
        if result.plan.targets:
            acting.apply_in(sql, chosen, space, result)
        run.outcomes = {o.value: result.outcomes[o.value] for o in Outcome}
        for target in run.targets:
            target["outcome"] = result.by_target.get(target["target"])
        run.failures, run.exit_code = list(result.failures), result.exit_code


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values as JSON has them (a time as its ISO text)."""
    return {k: v if v is None or isinstance(v, (str, int, float, bool)) else str(v)
            for k, v in row.items()}  # fmt: skip


def run_guards(
    chosen: VendorSpec,
    spaces: Iterable[tuple[Workspace, str]],
    *,
    destination: Any,
    guards: list[Guard],
    preview: bool = False,
    wait: float = 0.0,
    say: Callable[[str], None] | None = None,
) -> list[GuardRun]:
    """Each guard's part for the tool (the enabled guards'; with `preview`, every guard's, plan
    only) in each workspace, given with the dataset it was loaded into."""
    runs = []
    for space, dataset in spaces:
        for guard in guards:
            part = guard.parts.get(chosen.name)
            if part is not None and (guard.enabled or preview):
                runs.append(run_part(guard, part, chosen, space, destination=destination,
                                     funnel=funnel_dataset(), dataset=dataset, preview=preview,
                                     wait=wait, say=say))  # fmt: skip
    return runs
