"""The source as dlt users hold it: resources per table family, its own run statistics, the
same tables and columns as before the split, and a pipeline's state from before it carried on."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unify.loading import Loader
from tests.unify.truth import QUERIES, assert_matches_truth, expected_tables

DEMO_SCHEMA = Path(__file__).with_name("demo_schema.json")
ENROLLMENT_FAMILY = {"enrollments", "persons", "mailboxes", "plays", "reply_email_messages",
                     "reply_email_classifications", "enrollment_history"}  # fmt: skip


def _data_tables(warehouse) -> set[str]:
    rows = warehouse.rows(
        "select table_name from information_schema.tables where table_schema = 'unify'"
    )
    return {name for (name,) in rows if not name.startswith("_dlt")}


def test_with_resources_loads_only_the_selected_table_families(unify, tmp_path):
    server = unify(enrollments=700)
    only_sequences = Loader(tmp_path / "s", server.base_url)
    (tmp_path / "s").mkdir()
    summary = only_sequences.run("sequences")
    assert _data_tables(only_sequences.warehouse) == {"sequences", "sequence_steps"}
    sequences = len(server.state.world.sequences)
    assert summary.requests == 1 + sequences  # the listing, and each sequence's steps
    truth = expected_tables(server.state)
    for table in ("sequences", "sequence_steps"):
        assert set(only_sequences.warehouse.rows(QUERIES[table])) == truth[table], table

    only_enrollments = Loader(tmp_path / "e", server.base_url)
    (tmp_path / "e").mkdir()
    only_enrollments.run("enrollments")
    assert _data_tables(only_enrollments.warehouse) == ENROLLMENT_FAMILY
    for table in ENROLLMENT_FAMILY - {"enrollment_history"}:
        assert set(only_enrollments.warehouse.rows(QUERIES[table])) == truth[table], table
    # the other family later: the same tables as one run of everything
    only_enrollments.run("sequences")
    assert_matches_truth(only_enrollments.warehouse, server.state)


def test_two_sources_in_one_process_keep_separate_statistics(unify, tmp_path):
    small, large = unify(enrollments=300, seed=1), unify(enrollments=1400, seed=2)
    summaries = []
    for name, server in (("small", small), ("large", large)):
        (tmp_path / name).mkdir()
        load = Loader(tmp_path / name, server.base_url)
        summaries.append(load.run())
        assert_matches_truth(load.warehouse, server.state)
    for summary, server in zip(summaries, (small, large), strict=True):
        assert summary.requests == server.sandbox.faults.stats["requests"]  # each its own
    assert summaries[0].rows["enrollments"] == 300 and summaries[1].rows["enrollments"] == 1400


def test_a_pipeline_from_before_the_split_carries_on_incrementally(unify, loader):
    """Its marks were all in one resource, `sequences_and_enrollments`: moved in place."""
    server = unify(enrollments=800)
    load = loader(server.base_url)
    load.run()
    pipeline = load.pipeline()
    with pipeline.managed_state() as state:  # the layout the single-resource source wrote
        source = state["sources"]["unify"]
        legacy = source["resources"].pop("enrollments")
        for key in ("sequences", "sequences_listed_at", "api_clock_ahead_seconds"):
            if key in source:
                legacy[key] = source.pop(key)
        source["resources"]["sequences_and_enrollments"] = legacy
    assert "enrollments_updated_at" in legacy and "sequences" in legacy
    summary = load.run()
    assert summary.requests == 1  # not a second backfill: one page, as any nothing-new run
    assert "sequences_and_enrollments" not in load.source_state()["resources"]
    server.state.advance(6 * 3600)
    load.run()
    assert_matches_truth(load.warehouse, server.state)


def test_a_demo_shaped_load_has_the_same_tables_and_columns_as_before(unify, loader):
    """demo_schema.json is what users' queries see of a demo-shaped load (default path, an
    increment, the views): every table, column and type, and nothing else. It was written by
    the single-resource source; the views have changed since on purpose (counts as BIGINT,
    `step_funnel.step_type`, `time_to_first_reply.sequence`, the marts' measures and words in
    every funnel view, each view's `workspace`), the tables not at all."""
    server = unify(enrollments=600, seed=42)
    load = loader(server.base_url)
    settings = {"backfill": "bulk", "enrollment_steps": True, "steps_refresh_minutes": 0,
                "query_job_poll_seconds": 0.05}  # fmt: skip
    load.run(**settings)
    server.state.advance(6 * 3600)
    load.run(**settings)
    load.build_models()
    rows = load.warehouse.rows(
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_schema = 'unify' order by table_name, ordinal_position"
    )
    tables: dict[str, list[list[str]]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, []).append([column, kind])
    before = json.loads(DEMO_SCHEMA.read_text())
    assert tables.keys() == before.keys()
    for table, columns in before.items():
        if table.startswith("_dlt"):
            continue
        assert tables[table] == columns, table
