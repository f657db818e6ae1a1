"""The targets of an action, as a SQL query over the loaded tables names them, and the plan
printed before anything is done."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sources.common.actions import Action, Target
from sources.common.errors import ConfigurationError

SAMPLE = 5  # targets shown in the plan


@dataclass(frozen=True)
class Plan:
    vendor: str
    action: Action
    targets: list[Target]
    repeated: int  # rows of the select naming a target already named
    # per target key, the select's other columns (a name beside the id): what a person checks
    # before --apply; shown, never sent
    shown: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        count = len(self.targets)
        lines = [f"{self.vendor} {self.action.name}: {count} target{'s' if count != 1 else ''},"
                 f" each will {self.action.does}"]  # fmt: skip
        if self.repeated:
            lines.append(f"  ({self.repeated} repeated rows of the select left out)")
        for target in self.targets[:SAMPLE]:
            columns = {**target.row, **self.shown.get(target.key, {})}
            lines.append("  " + ", ".join(f"{k}={v}" for k, v in columns.items()))
        if count > SAMPLE:
            lines.append(f"  ... and {count - SAMPLE} more")
        return lines


def select_targets(
    client: Any,
    vendor: str,
    action: Action,
    select: str,
    most: int,
    workspace: str,
    guard: str | None = None,
) -> Plan:
    """Run `select`; refuse (one line naming the fix) a select without the action's columns,
    a row the action cannot take, more targets than `most`, or a row of another workspace than
    the one acted on (a select with a `workspace` column: the funnel's marts have one).

    A guard's select (`guard`: its file and tool, which the refusals name) must return a
    `workspace` column, and its rows of other workspaces are left out: it runs in each
    workspace in turn."""
    said = f"{guard}: select" if guard else "--select"
    try:
        with client.execute_query(select) as cursor:
            names = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigurationError(f"{said} failed: {first}") from None
    needed = (*action.columns, "workspace") if guard else action.columns
    missing = [c for c in needed if c not in names]
    if missing:
        raise ConfigurationError(
            f"{said} must return the column(s) {', '.join(needed)} for"
            f" {action.name}; it has no {', '.join(missing)}"
        )
    if guard:
        rows = [v for v in rows if str(v[names.index("workspace")]) == workspace]
    elif "workspace" in names:
        others = sorted({str(v[names.index("workspace")]) for v in rows} - {workspace})
        if others:
            raise ConfigurationError(
                f"--select has rows of workspace {', '.join(others)}: this action acts on"
                f" workspace {workspace} only; add where workspace = '{workspace}', or run it"
                " once per workspace with --workspace"
            )
    targets: dict[str, Target] = {}
    shown: dict[str, dict[str, Any]] = {}
    for values in rows:
        row: Mapping[str, Any] = {c: values[names.index(c)] for c in action.columns}
        problem = action.validate(row) if all(v is not None for v in row.values()) else "a null"
        if problem:
            raise ConfigurationError(f"{said} row {dict(row)} for {action.name}: {problem}")
        key = action.key(row)
        if key not in targets:
            targets[key] = Target(key, row)
            shown[key] = {n: v for n, v in zip(names, values, strict=True) if n not in row}
    if len(targets) > most:
        fix = f"raise max in {guard}" if guard else "narrow the --select, or raise --max"
        limit = "its max" if guard else "--max"
        raise ConfigurationError(
            f"the plan has {len(targets)} targets, more than {limit} {most}: {fix}"
        )
    return Plan(vendor, action, list(targets.values()), len(rows) - len(targets), shown)
