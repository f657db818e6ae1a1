"""Guards: rules that run after every load, each a select over the funnel and the loaded tables
plus one of a tool's actions, with `act`'s safety (docs/guards.md).

- A guard is a YAML file in the guards folder (pipelines.guards.files), or a built-in one, off
  until a file enables it: `stop-after-answer`.
- After each load of a tool (`load <vendor>`), every enabled guard that acts in that tool runs in
  each workspace loaded: its first run plans, later runs apply when its file says
  `apply: true`, each target once (`act`'s journal). A guard that acted reads the workspace again
  (`load <vendor> --after-act`), so that the funnel shows what it did and its next run plans
  nothing. A load after an action (`--after-act`) runs no guard.
- `sequence-funnel guards` lists them, `--plan` shows what each would do now in every tool and
  workspace loaded, `--run` runs them there as a load would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt


def guards_dir() -> Path:
    """The folder of guard files: GUARDS__DIR (or `[guards] dir`), else `guards` here."""
    configured: Any = dlt.config.get("guards.dir")
    return Path(str(configured)).expanduser() if configured else Path("guards")


def any_written() -> bool:
    """Whether the guards folder has a guard file: without one no guard is on (the built-in
    ones are off until a file enables them), and a load reads nothing more."""
    folder = guards_dir()
    return folder.is_dir() and any(folder.glob("*.yml"))
