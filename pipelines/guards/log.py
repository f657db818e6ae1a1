"""`guards_log`: each run of a guard in a tool's workspace, in that workspace's dataset beside
the actions' journal (`actions_log`, which holds each call): whether it planned or applied, how
many targets, their outcomes. A guard's first run, and the first after its action or select
changed, only plans: the log says whether it ran before."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

TABLE = "guards_log"
CREATE = """
create table if not exists {table} (
    run_id varchar not null, guard varchar not null, fingerprint varchar not null,
    vendor varchar not null, workspace varchar not null, action varchar not null,
    logged_at timestamp with time zone not null, mode varchar not null, targets integer,
    done integer, skipped integer, failed integer, message varchar
)"""


PLANNED, APPLIED, REFUSED, FAILED = "planned", "applied", "refused", "failed"  # a run's mode


class GuardsLog:
    """Through an open sql client of the workspace's dataset (each statement its own commit)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.table = f"{client.fully_qualified_dataset_name()}.{TABLE}"
        client.execute_sql(CREATE.format(table=self.table))

    def ran(self, guard: str, fingerprint: str, workspace: str) -> bool:
        """Whether the guard, as it is, planned or acted here before (a refused plan, or one
        that failed, showed nothing)."""
        rows = self.client.execute_sql(
            f"select count(*) from {self.table}"
            " where guard = %s and fingerprint = %s and workspace = %s and mode in (%s, %s)",
            guard, fingerprint, workspace, PLANNED, APPLIED,
        )  # fmt: skip
        return bool(rows and rows[0][0])

    def write(self, run_id: str, guard: str, fingerprint: str, vendor: str, workspace: str,
              action: str, mode: str, targets: int, outcomes: Mapping[str, int],
              message: str | None) -> None:  # fmt: skip
        self.client.execute_sql(
            f"insert into {self.table} (run_id, guard, fingerprint, vendor, workspace, action,"
            " logged_at, mode, targets, done, skipped, failed, message) values (%s, %s, %s, %s,"
            " %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            run_id, guard, fingerprint, vendor, workspace, action, datetime.now(UTC), mode,
            targets, outcomes.get("done", 0), outcomes.get("skipped", 0),
            outcomes.get("failed", 0), message,
        )  # fmt: skip
