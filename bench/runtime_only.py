"""`python -m bench.runtime_only ARGS...`: `sequence-funnel ARGS...` as a runtime-only
virtualenv runs it, in this development one.

A schedule installs `requirements-runtime.lock` (`make install`, the GitHub and container
recipes): no pandas, no SQLAlchemy, no notebook or test packages. Optional imports find them
here all the same (pyarrow imports pandas on its first array when it can; dlt imports
SQLAlchemy to parse a connection string), and they cost a load some 70 MB and half a second
it would not pay in a container. Every distribution the runtime lock does not pin is hidden,
as if not installed, so the benchmark measures and the tests prove what a schedule runs.
Finding them reads every distribution's file list (a third of a second): a caller that starts
many loads finds them once and passes them on in `HIDDEN_ENV` (`environment()`).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.metadata
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

RUNTIME_LOCK = Path(__file__).resolve().parents[1] / "requirements-runtime.lock"
PROJECT = "sequence-funnel"
HIDDEN_ENV = "BENCH_HIDDEN_MODULES"  # the hidden modules, comma-separated


def normalized(name: str) -> str:
    """A distribution's name as the lock files and PEP 503 compare it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> dict[str, str]:
    """Each pinned distribution of a lock file, and its version."""
    found = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock.read_text(), re.MULTILINE)
    return {normalized(name): version for name, version in found}


def hidden_modules(allowed: set[str]) -> set[str]:
    """The top-level modules that only distributions outside `allowed` provide."""
    return {top for top, dists in importlib.metadata.packages_distributions().items()
            if not any(normalized(d) in allowed for d in dists)}  # fmt: skip


class Hide(importlib.abc.MetaPathFinder):
    """Finds the hidden modules nowhere, as an interpreter without them would."""

    def __init__(self, hidden: set[str]) -> None:
        self.hidden = hidden

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name.partition(".")[0] in self.hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def runtime_hidden() -> set[str]:
    """The modules a runtime-only virtualenv would not have."""
    return hidden_modules({*pins(RUNTIME_LOCK), PROJECT})


def environment() -> dict[str, str]:
    """What a parent sets for its children: the hidden modules, found once."""
    return {HIDDEN_ENV: ",".join(sorted(runtime_hidden()))}


def main() -> None:
    given = os.environ.get(HIDDEN_ENV)
    hidden = set(given.split(",")) if given else runtime_hidden()
    sys.meta_path.insert(0, Hide(hidden))
    sys.argv[0] = PROJECT
    from pipelines.cli import script  # the console script's entry point

    script()


if __name__ == "__main__":
    main()
