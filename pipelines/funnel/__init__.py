"""The funnel models: the dbt project in dbt/ built after a load (the cross-vendor marts into
the `funnel` dataset, each loaded vendor's report views into its own) through dlt's dbt runner,
only when the models or the loaded tables changed since the last build (a run with nothing new
pays no dbt start-up).

What was built is remembered in the destination (`<funnel>._models_built`: the fingerprint of
the project's files, the vendors' datasets and the build's vars, and a hash of each loaded
table's columns), beside the models, so a build is never skipped for a destination that lacks
them; when only tables changed, only the models that read them are rebuilt (built.py).
"""

from __future__ import annotations

import hashlib
import json
import sysconfig
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt

from pipelines.funnel import built, counted, dbt_build, workspaces
from pipelines.funnel.workspaces import Workspace
from sources.common.errors import ConfigurationError

FUNNEL_DATASET = "funnel"
MATERIALIZATIONS = ("view", "table")
BUILD_WAIT = 120.0  # seconds a build waits for another one (a build takes some ten seconds)


@dataclass(frozen=True)
class Build:
    status: str  # "built", "unchanged" or "skipped" (a destination without SQL)
    seconds: float = 0.0
    nodes: int = 0  # seeds, models and tests dbt ran
    warnings: tuple[str, ...] = ()  # dbt tests on vendor data that warned; counted.warnings

    def describe(self) -> str:
        if self.status == "built":
            warned = f", {len(self.warnings)} warnings" if self.warnings else ""
            return f"built in {self.seconds:.1f} s ({self.nodes} seeds, models and tests{warned})"
        return self.status


def project_dir() -> Path:
    """The dbt project: FUNNEL__DBT_PROJECT when set, else the checkout's (an editable install),
    else the copy a wheel installs under <prefix>/share/sequence-funnel/dbt."""
    configured: Any = dlt.config.get("funnel.dbt_project")
    if configured:
        candidates = [Path(str(configured)).expanduser()]
    else:
        candidates = [
            Path(__file__).resolve().parents[2] / "dbt",
            Path(sysconfig.get_path("data")) / "share" / "sequence-funnel" / "dbt",
        ]
    for path in candidates:
        if (path / "dbt_project.yml").is_file():
            return path
    raise ConfigurationError(
        f"The funnel's dbt project is not at {candidates[0]} (no dbt_project.yml): set"
        " FUNNEL__DBT_PROJECT to the dbt/ folder of sequence-funnel, or FUNNEL__BUILD=false"
    )


def marts_materialized() -> str:
    """FUNNEL__MARTS_MATERIALIZED: `view`, the default (a load's rows show at once, and a run with
    nothing new builds nothing), or `table` for a warehouse, where views over every raw row cost
    each query: the heavy marts (enrollments, touches, people, funnel_person_sequence) are then
    stored, and rebuilt after each load that brought rows."""
    configured: Any = dlt.config.get("funnel.marts_materialized")
    chosen = str(configured or "view").strip().lower()
    if chosen not in MATERIALIZATIONS:
        raise ConfigurationError(
            f"FUNNEL__MARTS_MATERIALIZED is {configured!r}: set it to view or table"
        )
    return chosen


def funnel_dataset() -> str:
    configured: Any = dlt.config.get("funnel.dataset_name")
    return str(configured) if configured else FUNNEL_DATASET


def vendor_datasets() -> dict[str, str]:
    """Each vendor's home dataset: FUNNEL__DATASETS__<VENDOR>, else the vendor's name."""
    from sources.common.vendors import specs

    chosen = {}
    for vendor in specs():
        configured: Any = dlt.config.get(f"funnel.datasets.{vendor}")
        chosen[vendor] = str(configured) if configured else vendor
    return chosen


def vendor_workspaces(
    client: Any, loaded: Mapping[str, Collection[str]] | None = None
) -> dict[str, list[Workspace]]:
    """Every vendor's workspaces in the destination (pipelines.funnel.workspaces): each dataset
    its source was loaded into, with this run's own (`loaded`) and the vendor's home."""
    from pipelines.workspaces import has_workspaces
    from sources.common.vendors import specs

    homes, found = vendor_datasets(), workspaces.loaded_datasets(client, specs())
    for vendor, datasets in (loaded or {}).items():
        found[vendor] |= set(datasets)
    return {v: workspaces.named(v, homes[v], found[v], has_workspaces(spec))
            for v, spec in specs().items()}  # fmt: skip


def _project_files(project: Path) -> list[Path]:
    skip = {"target", "logs", "dbt_packages"}
    return sorted(
        p for p in project.rglob("*")
        if p.is_file() and not skip & set(p.relative_to(project).parts)
    )  # fmt: skip


def fingerprint(project: Path, also: tuple[Any, ...] = ()) -> str:
    """Changes when a model changes, and with `also`: the build's vars (the vendors' workspaces
    and reports, the marts' materialization) and, when the marts are stored tables, the latest
    loads; not with rows, nor with a loaded table's columns (built.table_hashes)."""
    digest = hashlib.sha256(json.dumps(also).encode())
    for path in _project_files(project):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _loaded_columns(client: Any, schemas: list[str]) -> list[tuple]:
    rows = client.execute_sql(  # tables only: the vendors' report views are the build's own
        "select c.table_schema, c.table_name, c.column_name, c.data_type"
        " from information_schema.columns c join information_schema.tables t"
        " on t.table_schema = c.table_schema and t.table_name = c.table_name"
        f" where c.table_schema in ({counted.placeholders(schemas)})"
        " and t.table_type = 'BASE TABLE' order by 1, 2, 3",
        *schemas,
    )
    return [tuple(r) for r in rows or []]


def _latest_loads(client: Any, columns: list[tuple]) -> tuple[str, ...]:
    """The newest completed load of each vendor dataset (dlt's `_dlt_loads`)."""
    latest = []
    for schema in sorted({s for s, table, *_ in columns if table == "_dlt_loads"}):
        with client.with_alternative_dataset_name(schema):
            loads = client.make_qualified_table_name("_dlt_loads")
        rows = client.execute_sql(f"select max(load_id) from {loads} where status = 0")
        latest.append(f"{schema}:{rows[0][0] if rows else None}")
    return tuple(latest)


def reported_vendors(chosen: Mapping[str, list[Workspace]], columns: list[tuple]) -> list[str]:
    """The vendors whose report views are built: those with their main table loaded in a
    workspace."""
    from sources.common.vendors import specs

    tables, found = {(schema, table) for schema, table, *_ in columns}, specs()
    return [v for v, spaces in chosen.items()
            if any((w.dataset, found[v].report.base_table) in tables for w in spaces)]  # fmt: skip


def enabled() -> bool:
    """FUNNEL__BUILD=false: a load leaves the models to the user's own dbt project."""
    configured: Any = dlt.config.get("funnel.build")
    return str(configured).lower() not in ("false", "0", "no")


def funnel_pipeline(destination: Any, pipelines_dir: str | None) -> dlt.Pipeline:
    """The funnel's pipeline, whose dataset holds the marts; on DuckDB at DuckDB's defaults,
    not a load's memory limit: its queries read the views."""
    from pipelines.destinations import for_reading
    from pipelines.runner import make_pipeline

    return make_pipeline("funnel", for_reading(destination), funnel_dataset(), pipelines_dir)


def build(
    destination: Any,
    *,
    pipelines_dir: str | None = None,
    datasets: Mapping[str, Collection[str]] | None = None,
    wait: float = BUILD_WAIT,
) -> Build:
    """Build the funnel models in `destination` unless nothing they depend on changed
    (`datasets`: per vendor, those this run loaded; every dataset a vendor was loaded into is
    one of its workspaces, pipelines.funnel.workspaces). One
    build at a time per pipelines dir: another vendor's load finishing at the same moment waits
    (up to `wait` seconds) for this one, then finds the models built."""
    from pipelines.destinations import location, wait_for_duckdb
    from pipelines.turns import exclusive, one_writer

    pipeline = funnel_pipeline(destination, pipelines_dir)
    name = pipeline.destination.destination_name
    if name == "filesystem":
        return Build("skipped")  # files, not a database
    project, materialized = project_dir(), marts_materialized()
    with exclusive(pipeline, wait), one_writer(pipeline, wait):
        with pipeline.sql_client() as client:
            chosen = vendor_workspaces(client, datasets)
            checked = list(datasets or chosen)  # the vendors whose statuses the warnings name
            columns = _loaded_columns(client, sorted(workspaces.datasets_of(chosen)))
            variables: dict[str, Any] = {}
            for vendor, spaces in chosen.items():  # the default workspace is the vendor's home
                variables[f"{vendor}_dataset"] = spaces[0].dataset
                variables[f"{vendor}_workspaces"] = [w.as_var() for w in spaces]
            variables["vendors"] = list(chosen)  # every vendor's staging models, in the marts
            variables["vendor_reports"] = reported_vendors(chosen, columns)
            variables["marts_materialized"] = materialized
            also: tuple[Any, ...] = (variables,)
            if materialized == "table":  # stored marts are stale after any load with rows
                also += _latest_loads(client, columns)
            wanted = built.Record(fingerprint(project, also), built.table_hashes(columns))
            last, target = built.last(client), dbt_build.target_dir(pipeline)
            select = None  # everything, unless only tables changed and the manifest says which
            if last is not None and last.fingerprint == wanted.fingerprint:
                changed = built.changed_tables(last.tables, wanted.tables)
                owners = workspaces.datasets_of(chosen)
                select = built.selectors(changed, target, wanted.fingerprint, owners)
                select = select if changed else []
            if select == []:  # no model reads what changed
                if last != wanted:
                    built.remember(client, wanted)
                return Build("unchanged", warnings=counted.warnings(client, checked))
        if name == "duckdb":  # dbt opens the file in its own process: a reader must let go
            wait_for_duckdb(str(location(pipeline)), wait)
        started = time.perf_counter()
        outcome = dbt_build.run(pipeline, project, variables, select)
        built.mark_manifest(target, wanted.fingerprint)
        with pipeline.sql_client() as client:
            built.remember(client, wanted)
            unmapped = counted.warnings(client, checked)
    seconds = round(time.perf_counter() - started, 3)
    return Build("built", seconds, outcome.nodes, outcome.warnings + unmapped)
