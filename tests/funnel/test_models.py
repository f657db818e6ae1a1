"""The cross-vendor funnel models (dbt/) built over one, two and three vendors' loads, on DuckDB
and PostgreSQL: every mart and view against numbers computed from the sandboxes' worlds."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipelines import funnel, reporting
from pipelines.runner import make_pipeline
from sources.common.errors import ConfigurationError
from sources.common.vendors import spec
from tests.funnel import truth
from tests.instantly.loading import instantly_loader
from tests.sequenzy.loading import sequenzy_loader
from tests.support.cli import ROOT, files_containing
from tests.unify.loading import LIST_PATH, STEPS, Loader

MEASURES = truth.MEASURES


def _load(vendors: tuple[str, ...], worlds: dict[str, Any], warehouse: Any, tmp_path: Path,
          unify_steps: bool) -> tuple[list[truth.Enrollment], list[truth.Touch]]:  # fmt: skip
    """Each vendor's world loaded into `warehouse`, and its truth."""
    enrollments: list[truth.Enrollment] = []
    touches: list[truth.Touch] = []
    for name in vendors:
        server, where = worlds[name], tmp_path / name
        if name == "unify":
            Loader(where, server.base_url, warehouse).run(**(STEPS if unify_steps else LIST_PATH))
            rows, seen = truth.unify(server.state, unify_steps)
        elif name == "instantly":
            instantly_loader(where, server.base_url, warehouse).run()
            rows, seen = truth.instantly(server.state)
        else:
            sequenzy_loader(where, server.base_url, warehouse).run()
            rows, seen = truth.sequenzy(server.state)
        enrollments += rows
        touches += seen
    return enrollments, touches


@pytest.mark.parametrize(
    ("vendors", "unify_steps"),
    [
        (("sequenzy",), False),
        (("unify", "instantly"), False),
        (("unify", "instantly", "sequenzy"), True),
    ],
    ids=["one", "two", "three"],
)
def test_every_view_equals_the_worlds(vendors, unify_steps, worlds, warehouse, tmp_path):
    enrollments, touches = _load(vendors, worlds, warehouse, tmp_path, unify_steps)
    built = funnel.build(warehouse.destination(), pipelines_dir=str(tmp_path / "pipelines"))
    assert built.status == "built" and built.nodes > 30
    if warehouse.name == "postgres":  # dbt had the password (DLT__CREDENTIALS__*): it kept none
        assert files_containing(tmp_path, warehouse.dsn.split(":")[2].split("@")[0]) == []

    reports = warehouse.rows(
        "select distinct table_schema from information_schema.tables where table_type = 'VIEW'"
        " and table_schema in ('unify', 'instantly', 'sequenzy')"
    )
    assert {s for (s,) in reports} == set(vendors)  # report views only for the vendors loaded

    rows = warehouse.rows(
        "select enrollment_key, vendor, sequence_key, person_key, enrolled_at, state, reached,"
        " opened, replied, positive, bounced, unsubscribed, first_sent_at from funnel.enrollments"
    )
    assert len(rows) == len({r[0] for r in rows}) == len(enrollments)
    expected = {e.key: (e.vendor, e.sequence, e.person, e.enrolled_at, e.state, e.reached,
                        e.opened, e.replied, e.positive, e.bounced, e.unsubscribed,
                        e.first_sent_at) for e in enrollments}  # fmt: skip
    truth.assert_same({r[0]: r[1:] for r in rows}, expected, "enrollments")
    # people the tools give without an email count, each under the tool's own id (the worlds
    # have some in Instantly and Sequenzy, whose documents allow it; Unify's requires one)
    keyed_by_id = {e.vendor for e in enrollments if e.person.startswith(f"{e.vendor}-")}
    assert keyed_by_id == set(vendors) - {"unify"}
    said = {w.split()[0] for w in built.warnings if " people without an email" in w}
    assert said == keyed_by_id  # and the build says how many, on each destination
    assert {r[0] for r in warehouse.rows("select distinct vendor from funnel.sequences")} == set(
        vendors
    )

    pairs = truth.person_sequences(enrollments)
    loaded = warehouse.rows(
        f"select vendor, sequence_key, {MEASURES} from funnel.funnel_by_sequence"
    )
    wanted = {(v, s): truth.measures(g) for (v, s), g in
              truth.grouped(pairs, lambda r: (r.vendor, r.sequence)).items()}  # fmt: skip
    truth.assert_same({r[:2]: r[2:] for r in loaded}, wanted, "funnel_by_sequence")

    loaded = warehouse.rows(
        f"select vendor, sequences, people, enrollments, {MEASURES} from funnel.funnel_by_vendor"
    )
    wanted = {v: (len({r.sequence for r in g}), len({r.person for r in g}),
                  sum(e.vendor == v for e in enrollments), *truth.measures(g))
              for v, g in truth.grouped(pairs, lambda r: r.vendor).items()}  # fmt: skip
    truth.assert_same({r[0]: r[1:] for r in loaded}, wanted, "funnel_by_vendor")

    loaded = warehouse.rows(
        f"select vendor, cohort_week, {MEASURES} from funnel.funnel_by_cohort_week"
    )
    dated = [r for r in pairs if r.first_enrolled_at is not None]
    wanted = {k: truth.measures(g) for k, g in
              truth.grouped(dated, lambda r: (r.vendor, truth.week(r.first_enrolled_at))).items()}  # fmt: skip
    truth.assert_same({r[:2]: r[2:] for r in loaded}, wanted, "funnel_by_cohort_week")

    loaded = warehouse.rows(
        "select vendor, sequence_key, step, sends, people_sent, people_opened, people_clicked,"
        " people_replied, people_bounced, people_unsubscribed from funnel.funnel_by_step"
    )
    wanted = truth.by_step(touches, {e.key: e.person for e in enrollments})
    truth.assert_same({r[:3]: r[3:] for r in loaded}, wanted, "funnel_by_step")

    loaded = warehouse.rows(
        "select person_key, vendors, tools, tools_reached, sequences, enrollments, reached,"
        " replied_anywhere, positive_anywhere, emailed_after_positive from funnel.people"
    )
    people = truth.people(enrollments)
    truth.assert_same({r[0]: r[1:] for r in loaded}, people, "people")
    several = sum(p[1] > 1 for p in people.values())
    assert (several > 0) == (len(vendors) > 1)  # the worlds share people

    overall = warehouse.rows(
        "select people, people_in_several_tools, reached_by_several_tools, reached,"
        " replied_anywhere, positive_anywhere, emailed_after_positive, enrollments, tools"
        " from funnel.funnel_overall"
    )
    assert overall == [(
        len(people), several, sum(p[2] > 1 for p in people.values()),
        sum(bool(p[5]) for p in people.values()), sum(bool(p[6]) for p in people.values()),
        sum(bool(p[7]) for p in people.values()), sum(p[8] for p in people.values()),
        len(enrollments), len(vendors),
    )]  # fmt: skip
    stopped = dict(warehouse.rows(
        "select enrollment_key, person_key from funnel.guard_stop_after_answer"
    ))  # fmt: skip
    assert stopped == truth.stopped_after_answer(enrollments)  # the built-in guard's targets
    if len(vendors) == 3:
        assert stopped, "the worlds hold people still emailed after they answered"
        assert {p for p, facts in people.items() if facts[8]} <= set(stopped.values())
        assert_readme_questions_answer(warehouse, enrollments)
    for name in vendors:
        assert_the_vendors_report_is_the_marts(warehouse, name, tmp_path)


def assert_the_vendors_report_is_the_marts(warehouse: Any, name: str, tmp_path: Path) -> None:
    """The vendor's report views give the marts' numbers for its sequences and cohorts, and
    `report <vendor>` prints them, its total line the vendor's row of funnel_by_vendor."""
    chosen = spec(name)
    key = f"'{name}:' || sequence_id" if name != "instantly" else "'instantly:' || campaign_id"
    for view, mart, group in ((chosen.report.view, "funnel_by_sequence", key),
                              ("funnel_by_cohort_week", "funnel_by_cohort_week", "cohort_week")):  # fmt: skip
        group_in_mart = "sequence_key" if mart == "funnel_by_sequence" else group
        reported = warehouse.rows(f"select {group}, {MEASURES} from {name}.{view}")
        marts = warehouse.rows(
            f"select {group_in_mart}, {MEASURES} from funnel.{mart} where vendor = '{name}'"
        )
        assert reported and sorted(reported, key=str) == sorted(marts, key=str), view

    pipeline = make_pipeline(f"report_{name}", warehouse.reading_destination(), name,
                             str(tmp_path / "reading"))  # fmt: skip
    shown = reporting.format_report(reporting.read_funnel(pipeline, chosen, "funnel")).splitlines()
    (people, enrollments, *measures), = warehouse.rows(
        f"select people, enrollments, {', '.join(reporting.MEASURES)} from funnel.funnel_by_vendor"
        f" where vendor = '{name}'"
    )  # fmt: skip
    *counts, rate = measures
    total = shown[-2].removeprefix(
        reporting.TOTAL_LABEL.replace("sequence", chosen.report.words[0])
    )
    assert total.split() == [reporting.number(c) for c in counts] + [reporting.percent(rate)]
    assert shown[-1].startswith(f"{people:,} {'person' if people == 1 else 'people'} and"
                                f" {enrollments:,} {chosen.report.words[1]}")  # fmt: skip
    sequences = warehouse.rows(
        f"select count(*) from funnel.funnel_by_sequence where vendor = '{name}'"
    )
    assert len(shown) == 1 + sequences[0][0] + 2


def test_a_build_waits_for_a_change_of_the_models_or_the_loaded_tables(
    worlds, tmp_path, monkeypatch
):
    from tests.support.warehouses import DuckDBWarehouse

    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    pipelines_dir = str(tmp_path / "pipelines")
    _load(("sequenzy",), worlds, warehouse, tmp_path, False)
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "built"
    sequenzy_loader(tmp_path / "sequenzy", worlds["sequenzy"].base_url, warehouse).run()
    # new rows, the same tables: nothing to build
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "unchanged"
    enrolled = warehouse.rows("select count(*) from funnel.enrollments")[0][0]

    _load(("instantly",), worlds, warehouse, tmp_path, False)  # a vendor's tables appear
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "built"
    assert warehouse.rows("select count(*) from funnel.enrollments")[0][0] > enrolled

    project = funnel.project_dir()
    copy = tmp_path / "dbt"
    for path in [p for p in project.rglob("*") if p.is_file()]:
        if not {"target", "logs"} & set(path.relative_to(project).parts):
            (copy / path.relative_to(project)).parent.mkdir(parents=True, exist_ok=True)
            (copy / path.relative_to(project)).write_bytes(path.read_bytes())
    monkeypatch.setenv("FUNNEL__DBT_PROJECT", str(copy))
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "unchanged"
    view = copy / "models" / "marts" / "funnel_by_vendor.sql"
    view.write_text(view.read_text().replace("as people,", "as people, 1 as edited,"))
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "built"
    assert warehouse.rows("select distinct edited from funnel.funnel_by_vendor") == [(1,)]


def test_when_only_tables_changed_only_the_models_that_read_them_are_rebuilt(worlds, tmp_path):
    from tests.support.warehouses import DuckDBWarehouse

    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    pipelines_dir = str(tmp_path / "pipelines")
    _load(("unify", "instantly"), worlds, warehouse, tmp_path, False)
    everything = funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir)
    by_vendor = warehouse.rows("select * from funnel.funnel_by_vendor order by vendor")

    # a table no model reads (dlt's child table for a new nested list): nothing to build, and
    # the next check finds the tables as they are
    _alter(warehouse, "create table unify.enrollments__new_list (value varchar)")
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "unchanged"
    _alter(warehouse, "drop table unify.enrollments__new_list")
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "unchanged"

    # a vendor's new field: the models that read its table, and their tests, not the others'
    _alter(warehouse, "alter table unify.enrollments add column new_field varchar")
    some = funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir)
    assert some.status == "built" and 0 < some.nodes < everything.nodes
    assert warehouse.rows("select * from funnel.funnel_by_vendor order by vendor") == by_vendor
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "unchanged"

    # without the manifest the last build parsed (another pipelines dir built them): all of them
    _alter(warehouse, "alter table instantly.leads add column new_field varchar")
    elsewhere = funnel.build(warehouse.destination(), pipelines_dir=str(tmp_path / "other"))
    assert elsewhere.status == "built" and elsewhere.nodes == everything.nodes


def _alter(warehouse: Any, sql: str) -> None:
    import duckdb

    with duckdb.connect(str(warehouse.path)) as con:
        con.execute(sql)


def readme_questions() -> list[str]:
    """The SQL blocks of the docs' "Three questions, answered in SQL", as written."""
    text = (ROOT / "docs" / "funnel.md").read_text()
    section = text.split("### Three questions, answered in SQL", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def assert_readme_questions_answer(warehouse: Any, enrollments: list[truth.Enrollment]) -> None:
    by_quarter, still_emailed, best_steps = readme_questions()
    pairs = truth.person_sequences(enrollments)

    now = datetime.now(UTC)
    quarter = datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)
    recent = [r for r in pairs if r.first_enrolled_at and r.first_enrolled_at >= quarter]
    expected = {v: (truth.measures(g)[1], truth.measures(g)[3])
                for v, g in truth.grouped(recent, lambda r: r.vendor).items()}  # fmt: skip
    assert {r[0]: (r[1], r[2]) for r in warehouse.rows(by_quarter)} == expected

    people = truth.people(enrollments)
    rows = warehouse.rows(still_emailed)
    assert {r[0] for r in rows} == {p for p, facts in people.items() if facts[8]}
    assert rows, "the worlds hold positive repliers still emailed elsewhere"

    rows = warehouse.rows(best_steps)
    assert 0 < len(rows) <= 10 and all(r[3] >= 50 for r in rows)
    rates = [float(r[5]) for r in rows if r[5] is not None]
    assert rates == sorted(rates, reverse=True)


def test_on_a_warehouse_the_heavy_marts_are_tables_rebuilt_after_each_load_with_rows(
    worlds, postgres_database, tmp_path, monkeypatch
):
    warehouse, pipelines_dir = postgres_database, str(tmp_path / "pipelines")
    server = worlds["unify"]
    _load(("unify",), worlds, warehouse, tmp_path, False)
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "built"
    by_vendor = "select * from funnel.funnel_by_vendor order by vendor"
    as_views = warehouse.rows(by_vendor)

    monkeypatch.setenv("FUNNEL__MARTS_MATERIALIZED", "table")
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "built"
    kinds = dict(warehouse.rows(
        "select table_name, table_type from information_schema.tables where table_schema = 'funnel'"
    ))  # fmt: skip
    heavy = ("enrollments", "touches", "people", "funnel_person_sequence")
    assert {kinds[t] for t in heavy} == {"BASE TABLE"} and kinds["funnel_by_vendor"] == "VIEW"
    assert warehouse.rows(by_vendor) == as_views  # the same numbers, stored
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "unchanged"

    server.state.advance(6 * 3600)  # the world moves on; a load brings its rows
    Loader(tmp_path / "unify", server.base_url, warehouse).run(**LIST_PATH)
    assert funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir).status == "built"
    fresh = "select count(*), count(*) filter (where reached) from funnel.{}"
    assert warehouse.rows(fresh.format("enrollments")) == warehouse.rows(
        fresh.format("stg_unify__enrollments")
    )  # the stored table is the view's rows of now

    monkeypatch.setenv("FUNNEL__MARTS_MATERIALIZED", "tables")
    with pytest.raises(ConfigurationError, match=r"FUNNEL__MARTS_MATERIALIZED .* view or table"):
        funnel.build(warehouse.destination(), pipelines_dir=pipelines_dir)
