"""What a run did: printed at its end, and written as JSON for a monitor."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.english import count
from sources.common.notices import NOTICES

OK = 0
MAX_WARNINGS = 50  # a summary names this many; a vendor sending bad rows by the page says each


@dataclass
class RunSummary:
    pipeline: str = ""
    destination: str = ""
    location: str | None = None  # the DuckDB file, host:port/database or bucket: no password
    dataset: str = ""
    status: str = "ok"
    exit_code: int = OK
    error: str | None = None
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)  # rows this run loaded, per table
    stored: dict[str, int] = field(default_factory=dict)  # rows those tables hold after it
    requests: int = 0
    retries: int = 0
    completed_pending_packages: int = 0
    load_ids: list[str] = field(default_factory=list)
    models: str | None = None  # the funnel models: "built in 9.8 s", "unchanged" (pipelines.funnel)
    warnings: list[str] = field(default_factory=list)  # what the run loaded otherwise than sent
    guards: list[dict[str, Any]] = field(default_factory=list)  # runs after it (pipelines.guards)

    def guarded(self, runs: list[dict[str, Any]]) -> None:
        """The guards run after this load: a loaded run's exit code becomes the first refused
        or failed guard's (a schedule hears of it; the load stands, its status says so)."""
        self.guards += runs
        if self.exit_code == OK:
            self.exit_code = next((r["exit_code"] for r in runs if r["exit_code"]), OK)

    def warn(self, message: str) -> None:
        if message not in self.warnings and len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    @contextmanager
    def noticing(self) -> Iterator[None]:
        """Within the block, every notice (sources.common.notices) is one of its warnings."""
        summary = self

        class Collect(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                summary.warn(record.getMessage())

        handler = Collect(logging.WARNING)
        logger = logging.getLogger(NOTICES)
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)

    def failed(self, message: str, exit_code: int) -> None:
        """A run that ended with an error; exit codes of 128 and above are signals."""
        self.status = "interrupted" if exit_code >= 128 else "failed"
        self.error, self.exit_code = message, exit_code

    def lines(self) -> list[str]:
        width = max((len(t) for t in [*self.rows, "table"]), default=5)
        out = []
        if self.rows:
            stored = "rows stored" if self.stored else ""
            out.append(f"  {'table':<{width}} {'rows loaded':>12} {stored:>12}".rstrip())
        for table, loaded in sorted(self.rows.items()):
            kept = f"{self.stored[table]:>12,}" if table in self.stored else ""
            out.append(f"  {table:<{width}} {loaded:>12,} {kept}".rstrip())
        if not self.rows:
            out.append("  nothing new")
        if self.completed_pending_packages:
            packages = count(self.completed_pending_packages, "load package")
            out.append(f"  (first completed {packages} left by an interrupted run)")
        if self.models:
            out.append(f"  funnel models: {self.models}")
        if self.warnings:
            out.append(f"  {count(len(self.warnings), 'warning')}:")
            out += [f"    - {w}" for w in self.warnings]
        out.append(f"  {self.seconds:.1f} s, {count(self.requests, 'request')},"
                   f" {count(self.retries, 'retry', 'retries')}")  # fmt: skip
        return out

    def write_json(self, path: str) -> None:
        write_json(path, asdict(self))


@dataclass
class WorkspacesSummary:
    """A run over several workspaces of one vendor: each workspace's own summary, and the funnel
    models built once after them. A workspace that failed fails the run's exit code (the first
    failure's) and is named, the others' loads stand."""

    vendor: str
    workspaces: dict[str, RunSummary] = field(default_factory=dict)
    models: str | None = None
    error: str | None = None  # the models' build, when it failed
    build_exit_code: int = OK
    interrupted: int = OK  # the signal's exit code, when the run was stopped
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return [name for name, run in self.workspaces.items() if run.status != "ok"]

    @property
    def loaded(self) -> list[str]:
        """The datasets of the workspaces that loaded."""
        return [run.dataset for run in self.workspaces.values() if run.status == "ok"]

    @property
    def exit_code(self) -> int:
        """The signal's, else the first failed workspace's, else the models', else the first
        refused or failed guard's (RunSummary.guarded)."""
        codes = [self.workspaces[name].exit_code for name in self.failed]
        guarded = [run.exit_code for run in self.workspaces.values() if run.exit_code != OK]
        return self.interrupted or (codes or [self.build_exit_code])[0] or (guarded or [OK])[0]

    @property
    def status(self) -> str:
        if self.interrupted:
            return "interrupted"
        if not self.failed:
            return "ok" if self.build_exit_code == OK else "failed"
        return "failed" if len(self.failed) == len(self.workspaces) else "partial"

    def lines(self) -> list[str]:
        done = len(self.workspaces) - len(self.failed)
        out = [f"{self.vendor}: {done} of {count(len(self.workspaces), 'workspace')} loaded"]
        out += [f"  {name} failed: {self.workspaces[name].error}" for name in self.failed]
        if self.models:
            out.append(f"  funnel models: {self.models}")
        if self.error:
            out.append(f"  funnel models failed: {self.error}")
        if self.warnings:
            out.append(f"  {count(len(self.warnings), 'warning')}:")
            out += [f"    - {w}" for w in self.warnings]
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "vendor": self.vendor, "status": self.status, "exit_code": self.exit_code,
            "failed_workspaces": self.failed, "models": self.models, "error": self.error,
            "warnings": self.warnings,
            "workspaces": {name: asdict(run) for name, run in self.workspaces.items()},
        }  # fmt: skip

    def write_json(self, path: str) -> None:
        write_json(path, self.as_dict())


def write_json(path: str, content: object) -> None:
    """Whole or not at all: a monitor never reads half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(content, indent=2) + "\n")
    partial.replace(target)
