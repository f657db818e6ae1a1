"""What the Unify source hands to dlt: Arrow tables tagged with their table's hints, and the
request counts of the latest extraction (for run summaries and the benchmark)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import dlt

from sources.unify.settings import PRIMARY_KEYS, TABLES

# Requests and retries of the latest extraction in this process.
run_stats: Counter[str] = Counter()

HINTS = {
    table: dlt.mark.make_hints(
        table_name=table, primary_key=PRIMARY_KEYS.get(table, "id"), write_disposition="merge",
        columns=columns,
    )
    for table, columns in TABLES.items()
}  # fmt: skip


def tagged(table: str, rows: Any) -> Any:
    return dlt.mark.with_hints(rows, HINTS[table], create_table_variant=True)
