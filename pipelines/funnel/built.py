"""What the models were last built from, remembered in the destination beside them
(`<funnel>._models_built`), and so what a build must rebuild now.

A record holds the fingerprint of what every model depends on (the project's files, the vendors'
datasets, the build's vars) and, per loaded table, a hash of its columns. When only tables
changed, a build rebuilds just the models that read them (dbt's `source:<vendor>.<table>+`,
found in the manifest the last build wrote), and nothing at all when no model reads them: a new
child table dlt made for a new nested field, a table of the load's own bookkeeping.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUILT_TABLE = "_models_built"
MANIFEST_OF = "manifest_of.txt"  # beside dbt's manifest: the fingerprint it was parsed with


@dataclass(frozen=True)
class Record:
    fingerprint: str
    tables: dict[str, str]  # `schema.table`: a hash of its columns and their types


def table_hashes(columns: list[tuple]) -> dict[str, str]:
    """Per table of (schema, table, column, type) rows, a hash of its columns and types."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for schema, table, column, kind in columns:
        grouped[f"{schema}.{table}"].append(f"{column} {kind}")
    return {t: hashlib.sha256("\n".join(sorted(c)).encode()).hexdigest()[:16]
            for t, c in grouped.items()}  # fmt: skip


def changed_tables(before: Mapping[str, str], now: Mapping[str, str]) -> set[str]:
    """Tables that appeared, went, or whose columns changed."""
    return {t for t in before.keys() | now.keys() if before.get(t) != now.get(t)}


def selectors(
    changed: set[str], target: Path, fingerprint: str, vendors_of: Mapping[str, set[str]]
) -> list[str] | None:
    """dbt selectors for the models that read a changed table (`schema.table`, in any workspace's
    dataset: `vendors_of` says whose workspaces each dataset holds): [] when no model reads one,
    None when that cannot be said (no manifest parsed with this fingerprint) and every model
    must be built."""
    manifest = target / "manifest.json"
    try:
        if (target / MANIFEST_OF).read_text().strip() != fingerprint:
            return None
        sources = json.loads(manifest.read_text())["sources"]
    except (OSError, ValueError, KeyError):
        return None
    declared = {(s["source_name"], s["identifier"].lower()): f"{s['source_name']}.{s['name']}"
                for s in sources.values()}  # fmt: skip
    chosen = set()
    for changed_table in changed:
        schema, _, table = changed_table.partition(".")
        for vendor in vendors_of.get(schema, ()):
            if (vendor, table.lower()) in declared:
                chosen.add(f"source:{declared[vendor, table.lower()]}+")
    return sorted(chosen)


def mark_manifest(target: Path, fingerprint: str) -> None:
    """After a build: the manifest in `target` was parsed with `fingerprint`."""
    (target / MANIFEST_OF).write_text(fingerprint)


def last(client: Any) -> Record | None:
    """The destination's record, if it has one of this form."""
    columns = client.execute_sql(
        "select column_name from information_schema.columns"
        " where table_schema = %s and table_name = %s",
        client.dataset_name, BUILT_TABLE,
    )  # fmt: skip
    if {"fingerprint", "tables"} - {c for (c,) in columns or []}:
        return None  # none yet, or one from before tables were remembered: build them all
    table = client.make_qualified_table_name(BUILT_TABLE)
    rows = client.execute_sql(f"select fingerprint, tables from {table}")
    if not rows:
        return None
    return Record(str(rows[0][0]), dict(json.loads(rows[0][1])))


def remember(client: Any, record: Record) -> None:
    table = client.make_qualified_table_name(BUILT_TABLE)
    client.execute_sql(f"drop table if exists {table}")
    client.execute_sql(
        f"create table {table} (fingerprint varchar(64), built_at varchar(40), tables text)"
    )
    built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    client.execute_sql(
        f"insert into {table} values (%s, %s, %s)",
        record.fingerprint, built_at, json.dumps(record.tables, sort_keys=True),
    )  # fmt: skip
