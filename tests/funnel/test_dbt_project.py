"""The dbt project as analytics engineers use it: sources with freshness, lineage from the raw
tables to the marts, every mart's columns described, `dbt docs generate`, and the package built
inside someone else's dbt project with their own vars."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines import funnel
from tests.instantly.loading import instantly_loader
from tests.sequenzy.loading import sequenzy_loader
from tests.support.cli import ROOT
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.loading import LIST_PATH, Loader

VENDORS = ("unify", "instantly", "sequenzy")
DBT = str(Path(sys.executable).with_name("dbt"))


@pytest.fixture
def loaded(unify, instantly, sequenzy, tmp_path) -> Path:
    """Three vendors loaded into one DuckDB file, the models built by a load's build."""
    where = tmp_path / "loaded"
    warehouse = DuckDBWarehouse(where / "warehouse.duckdb")
    Loader(where / "unify", unify(enrollments=300).base_url, warehouse).run(**LIST_PATH)
    instantly_loader(where / "instantly", instantly(leads=200).base_url, warehouse).run()
    sequenzy_loader(where / "sequenzy", sequenzy(enrollments=200).base_url, warehouse).run()
    built = funnel.build(warehouse.destination(), pipelines_dir=str(where / "pipelines"))
    assert built.status == "built"
    return where / "warehouse.duckdb"


def dbt(project: Path, database: Path, target: Path, *args: str, profile: str = "duckdb") -> None:
    """The dbt command line, as an analytics engineer runs it in `project`."""
    env = {"DLT__CREDENTIALS__DATABASE": str(database), "PATH": str(Path(sys.executable).parent),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_TARGET_PATH": str(target),
           "DBT_LOG_PATH": str(target)}  # fmt: skip
    options = ["--project-dir", str(project)]
    if args[0] != "deps":
        options += ["--profiles-dir", str(project), "--profile", profile]
    result = subprocess.run([DBT, *args, *options], cwd=project, env=env, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]


def ancestors(parents: dict[str, list[str]], node: str) -> set[str]:
    seen: set[str] = set()
    stack = [node]
    while stack:
        for parent in parents.get(stack.pop(), []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def test_docs_and_freshness_lineage_from_raw_tables_to_every_mart_each_column_described(
    loaded, tmp_path
):
    project = funnel.project_dir()
    dbt(project, loaded, tmp_path, "docs", "generate")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    marts = {k: n for k, n in manifest["nodes"].items()
             if n["resource_type"] == "model" and n["path"].startswith("marts/")}  # fmt: skip
    assert len(marts) >= 10
    for key, node in marts.items():
        sources = {a for a in ancestors(manifest["parent_map"], key) if a.startswith("source.")}
        vendors = {s.split(".")[2] for s in sources}
        assert vendors == set(VENDORS), (key, vendors)  # lineage reaches each vendor's tables
        stored = set(catalog["nodes"][key]["columns"])
        described = {c for c, d in node["columns"].items() if d["description"].strip()}
        assert stored and stored <= described, (key, sorted(stored - described))
    people = "model.sequence_funnel.funnel_person_sequence"
    counted = [k for k, n in manifest["nodes"].items()
               if n["path"].startswith("reporting/") and "enrolled" in catalog["nodes"][k]["columns"]]  # fmt: skip
    assert len(counted) >= 7  # every vendor's funnel views count the marts' people
    assert [k for k in counted if people not in ancestors(manifest["parent_map"], k)] == []
    tables = {s["name"] for s in manifest["sources"].values() if s["source_name"] == "unify"}
    assert {"enrollments", "sequences", "persons", "enrollment_steps"} <= tables

    dbt(project, loaded, tmp_path, "source", "freshness")  # on the load time: just loaded
    results = json.loads((tmp_path / "sources.json").read_text())["results"]
    checked = {r["unique_id"].split(".", 2)[2]: r["status"] for r in results}
    assert checked == {f"{v}.{t}": "pass" for v, t in
                       [("unify", "enrollments"), ("instantly", "leads"), ("sequenzy", "enrollments")]}  # fmt: skip


def test_the_package_builds_inside_another_dbt_project_with_its_own_vars(loaded, tmp_path):
    """An outer project whose raw tables are in schemas of its own naming: it installs the
    package (a local path, as a git checkout would be), sets the vars, builds."""
    database = tmp_path / "theirs.duckdb"
    with duckdb.connect(str(database)) as theirs:
        theirs.execute(f"attach '{loaded}' as loaded (read_only)")
        for vendor in VENDORS:
            theirs.execute(f"create schema raw_{vendor}")
            tables = theirs.execute(
                "select table_name from information_schema.tables where table_catalog = 'loaded'"
                " and table_schema = ? and table_type = 'BASE TABLE'", [vendor],
            ).fetchall()  # fmt: skip
            for (table,) in tables:
                theirs.execute(
                    f"create table raw_{vendor}.{table} as select * from loaded.{vendor}.{table}"
                )
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / "dbt_project.yml").write_text(
        "name: outer\nversion: '1.0.0'\nconfig-version: 2\nprofile: outer\n"
        "vars:\n  unify_dataset: raw_unify\n  instantly_dataset: raw_instantly\n"
        "  sequenzy_dataset: raw_sequenzy\n  vendor_reports: [unify]\n"
    )
    (outer / "packages.yml").write_text(f"packages:\n  - local: {ROOT / 'dbt'}\n")
    (outer / "profiles.yml").write_text(
        "outer:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: '{database}'\n      schema: analytics\n      threads: 1\n"
    )
    dbt(outer, database, tmp_path / "target", "deps", profile="outer")
    dbt(outer, database, tmp_path / "target", "build", profile="outer")
    with duckdb.connect(str(database), read_only=True) as theirs:
        theirs.execute(f"attach '{loaded}' as loaded (read_only)")
        # the same numbers as the load's own build over the same tables
        ours = theirs.execute("select * from loaded.funnel.funnel_by_vendor order by 1").fetchall()
        assert (
            theirs.execute("select * from analytics.funnel_by_vendor order by 1").fetchall() == ours
        )
        assert len(ours) == 3
        # the report views of the vendors their vars name, beside those vendors' raw tables (the
        # package's own generate_schema_name applies to its models)
        views = theirs.execute(
            "select distinct table_schema from information_schema.tables"
            " where table_name = 'funnel_by_sequence' and table_schema <> 'analytics'"
            " and table_catalog = 'theirs'"
        ).fetchall()
        assert views == [("raw_unify",)]


# A step's own status (Unify's SequenceEnrollmentStepStatus: its `executed` steps), not an
# enrollment's: the status map does not cover it
STEP_STATUSES = {("unify__step_funnel.sql", "st.status")}


def test_no_report_model_compares_a_status_the_status_map_owns():
    """The status codes are written once, in each vendor's status map: a report model takes the
    state the marts mapped, and compares no status of its own (only a step's status, listed)."""
    reporting = funnel.project_dir() / "models" / "reporting"
    comparison = re.compile(r"([\w.]*status)\s*(?:=|<>|!=|\bin\b)\s*\(?\s*('[^']*'|-?\d+)", re.I)
    found = {(path.name, column.lower())
             for path in reporting.rglob("*.sql")
             for column, _ in comparison.findall(path.read_text())}  # fmt: skip
    assert found == STEP_STATUSES
    states = "".join(p.read_text() for p in funnel.project_dir().rglob("*__status_map.csv"))
    assert "unify,FINISHED,finished" in states  # the map the models read holds the codes
