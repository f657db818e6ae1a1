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
        """Whole or not at all: a monitor never reads half a file."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(asdict(self), indent=2) + "\n")
        partial.replace(target)
