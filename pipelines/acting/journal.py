"""`actions_log`: every call an action makes, written before it is made and after it answered,
in the dataset the targets were selected from (never the key: only ids, outcomes and the API's
status and message). A call started and never finished (the run was killed, or timed out) is
pending: the next run asks the API what became of it before doing anything else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TABLE = "actions_log"
CREATE = """
create table if not exists {table} (
    run_id varchar not null, vendor varchar not null, action varchar not null,
    target varchar not null, phase varchar not null, logged_at timestamp with time zone not null,
    requested_at varchar, outcome varchar, http_status integer, message varchar
)"""
STARTED, FINISHED = "started", "finished"


class Journal:
    """One action's rows, through an open sql client of the destination (each statement is
    committed on its own, so a kill keeps every row written before it)."""

    def __init__(self, client: Any, run_id: str, vendor: str, action: str) -> None:
        self.client, self.run_id, self.vendor, self.action = client, run_id, vendor, action
        self.table = f"{client.fully_qualified_dataset_name()}.{TABLE}"
        client.execute_sql(CREATE.format(table=self.table))

    def pending(self) -> dict[str, str | None]:
        """target -> when its unfinished call was requested (the API's clock), for the targets
        whose last row is a start."""
        rows = self.client.execute_sql(
            f"select target, phase, requested_at from {self.table}"
            " where vendor = %s and action = %s order by logged_at, phase desc",
            self.vendor, self.action,
        ) or []  # fmt: skip
        last: dict[str, tuple[str, str | None]] = {}
        for target, phase, requested_at in rows:
            last[target] = (phase, requested_at)
        return {t: at for t, (phase, at) in last.items() if phase == STARTED}

    def start(self, target: str, requested_at: str | None) -> None:
        self._write(target, STARTED, requested_at, None, None, None)

    def finish(self, target: str, outcome: str, status: int | None, message: str) -> None:
        self._write(target, FINISHED, None, outcome, status, message)

    def _write(self, target: str, phase: str, requested_at: str | None, outcome: str | None,
               status: int | None, message: str | None) -> None:  # fmt: skip
        self.client.execute_sql(
            f"insert into {self.table} (run_id, vendor, action, target, phase, logged_at,"
            " requested_at, outcome, http_status, message) values (%s, %s, %s, %s, %s, %s, %s,"
            " %s, %s, %s)",
            self.run_id, self.vendor, self.action, target, phase, datetime.now(UTC),
            requested_at, outcome, status, message,
        )  # fmt: skip
