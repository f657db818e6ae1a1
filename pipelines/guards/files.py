"""Guards as written: a YAML file each, in the guards folder (GUARDS__DIR, `./guards` unless
set), and the built-in ones shipped with the package (pipelines/guards/builtin/), off until a
file of the same name in the guards folder enables them (docs/guards.md).

A guard names, per tool, one of the tool's actions (`act <vendor>`) and the select over the
loaded tables and the funnel that returns its targets, with a `workspace` column: a guard acts
within one workspace at a time. `{funnel}` in a select is the funnel's dataset, `{dataset}` the
tool's dataset of the workspace acted in, `{workspace}` its name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipelines.acting import DEFAULT_MAX, action_of
from pipelines.guards import guards_dir
from sources.common.errors import ConfigurationError
from sources.common.vendors import specs

BUILTIN = Path(__file__).parent / "builtin"
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")
SETTINGS = {"description": str, "enabled": bool, "apply": bool, "max": int}
KEYS = (*SETTINGS, "act", "use")
PART_KEYS = ("action", "select")


@dataclass(frozen=True)
class GuardPart:
    """What a guard does in one tool: an action, and the select that names its targets."""

    vendor: str
    action: str
    select: str

    @property
    def fingerprint(self) -> str:
        """What the guard does there: a changed action or select is a new guard, whose first run
        only plans again."""
        return hashlib.sha256(f"{self.action}\0{self.select}".encode()).hexdigest()[:16]

    def query(self, funnel: str, dataset: str, workspace: str) -> str:
        """The select with its datasets named (each quoted as the destination quotes them) and
        its workspace's name (a workspace's name is letters, digits and _)."""
        named = self.select.replace("{funnel}", funnel).replace("{dataset}", dataset)
        return named.replace("{workspace}", workspace)


@dataclass(frozen=True)
class Guard:
    name: str
    description: str
    enabled: bool
    apply: bool
    most: int  # targets one run may have, per tool and workspace
    parts: Mapping[str, GuardPart]  # per vendor
    path: Path  # the file that says so (the built-in's, when none does)

    @property
    def builtin(self) -> bool:
        return self.path.parent == BUILTIN


def read_guards(folder: Path | None = None) -> list[Guard]:
    """Every guard: the folder's files by name, then the built-ins no file of the folder names.
    A file that names a built-in, or says `use: <built-in>`, is that guard with the file's
    settings (`enabled: true`, `apply: true`, its own `max` or `act`). A file that cannot be a
    guard is refused in one line naming it and what to fix."""
    folder = guards_dir() if folder is None else folder
    builtins = {p.stem: p for p in sorted(BUILTIN.glob("*.yml"))}
    written = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    guards, used = [], set()
    for path in written:
        raw = _read(path)
        base = raw.get("use", path.stem if path.stem in builtins else None)
        if base is not None and base not in builtins:
            raise ConfigurationError(
                f"{path}: use: {base!r} is no built-in guard (there are: {', '.join(builtins)})"
            )
        inherited = _read(builtins[base]) if base is not None else {}
        used.add(base)
        guards.append(_guard(path.stem, {**inherited, **raw}, path))
    guards += [_guard(n, _read(p), p) for n, p in builtins.items() if n not in used]
    return guards


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigurationError(f"{path}: not a guard file ({first})") from None
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path}: a guard file is a mapping of {', '.join(KEYS)}")
    unknown = sorted(str(k) for k in raw if k not in KEYS)
    if unknown:
        raise ConfigurationError(
            f"{path}: unknown key {', '.join(unknown)} (a guard has: {', '.join(KEYS)})"
        )
    return raw


def _guard(name: str, raw: Mapping[str, Any], path: Path) -> Guard:
    if not NAME.match(name):
        raise ConfigurationError(
            f"{path}: a guard's file name is lower-case letters, digits, - and _, from a letter"
        )
    for key, kind in SETTINGS.items():
        if key in raw and not _of_kind(raw[key], kind):
            raise ConfigurationError(f"{path}: {key} must be {kind.__name__}, not {raw[key]!r}")
    most = raw.get("max", DEFAULT_MAX)
    if most < 1:
        raise ConfigurationError(f"{path}: max must be 1 or more, not {most}")
    acts = raw.get("act")
    if not isinstance(acts, dict) or not acts:
        raise ConfigurationError(f"{path}: act must map a tool to its action and select")
    parts = {str(vendor): _part(path, str(vendor), step) for vendor, step in acts.items()}
    return Guard(name, str(raw.get("description", "")), bool(raw.get("enabled", False)),
                 bool(raw.get("apply", False)), most, parts, path)  # fmt: skip


def _of_kind(value: Any, kind: type) -> bool:
    """A bool is an int to Python: `max: true` is no number."""
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _part(path: Path, vendor: str, step: Any) -> GuardPart:
    known = specs()
    if vendor not in known:
        raise ConfigurationError(f"{path}: act.{vendor}: no such tool (tools: {', '.join(known)})")
    if not isinstance(step, dict) or sorted(step) != sorted(PART_KEYS):
        raise ConfigurationError(f"{path}: act.{vendor} must have exactly: {', '.join(PART_KEYS)}")
    select = step["select"]
    if not isinstance(select, str) or not select.strip():
        raise ConfigurationError(f"{path}: act.{vendor}.select must be a SQL select")
    try:
        action_of(known[vendor], str(step["action"]))
    except ConfigurationError as exc:
        raise ConfigurationError(f"{path}: act.{vendor}.action: {exc}") from None
    return GuardPart(vendor, str(step["action"]), select.strip())


def listing(guards: list[Guard]) -> list[str]:
    """`sequence-funnel guards`: each guard, whether it is on and applies, what it does where."""
    if not guards:
        return [f"no guards (none built in, and no files in {guards_dir()})"]
    lines = []
    for guard in guards:
        state = ("on" if guard.enabled else "off") + (", applies" if guard.apply else ", plans")
        origin = "built in" if guard.builtin else str(guard.path)
        lines.append(f"{guard.name} ({state}; {origin}): {guard.description}")
        lines += [f"  {p.vendor}: {p.action}, at most {guard.most} targets a run"
                  for p in guard.parts.values()]  # fmt: skip
    return lines
