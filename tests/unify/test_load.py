"""The Unify source against the sandbox: exact loads, increments, faults, late changes."""

from __future__ import annotations

from sandbox.unify import FaultConfig, render
from tests.unify.loading import Loader
from tests.unify.truth import assert_matches_truth, instant, loaded_tables


def test_a_full_load_equals_the_sandbox_table_by_table(unify, loader, warehouse):
    server = unify(enrollments=1500)
    load = loader(server.base_url, warehouse)
    summary = load.run()
    assert_matches_truth(load.warehouse, server.state)
    assert summary.rows["enrollments"] == 1500 and summary.retries == 0
    types = dict(load.warehouse.rows(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'unify' and table_name = 'enrollments'"
    ))  # fmt: skip
    assert types["updated_at"].upper() == "TIMESTAMP WITH TIME ZONE"
    assert types["is_replied"].upper() == "BOOLEAN"


def test_the_api_order_does_not_matter(unify, loader):
    server = unify(enrollments=1200, list_order="oldest_first")
    load = loader(server.base_url)
    load.run()
    server.state.advance(5 * 86400)
    load.run()
    assert_matches_truth(load.warehouse, server.state)


def test_a_rerun_with_nothing_new_fetches_one_page_and_changes_nothing(unify, loader, warehouse):
    server = unify(enrollments=800)
    load = loader(server.base_url, warehouse)
    load.run()
    before = loaded_tables(load.warehouse)
    summary = load.run()
    # one page of enrollments, whose Date header is the run's upper bound; the sequences
    # listing is not due again within sequences_refresh_minutes
    assert summary.requests == 1
    assert loaded_tables(load.warehouse) == before
    assert_matches_truth(load.warehouse, server.state)


def test_activity_is_applied_by_the_next_run(unify, loader, warehouse):
    server = unify(enrollments=2000)
    load = loader(server.base_url, warehouse)
    load.run()
    changed = server.state.advance(12 * 3600)
    assert changed > 10
    summary = load.run()
    assert_matches_truth(load.warehouse, server.state)
    assert changed <= summary.rows["enrollments"] <= changed + 50  # the changes, plus the lookback


def _late_change(server, load, lookback_seconds: float) -> str:
    """Load, then pause an enrollment whose change is committed late: its updated_at is two
    minutes before the high-water mark. Load again; returns the enrollment's id."""
    load.run(lookback_seconds=lookback_seconds)
    mark = load.state()["enrollments_updated_at"]
    rows, _ = server.page_all(status="IN_PROGRESS")
    target = next(r for r in rows if not r["is_paused"])["id"]
    server.client.post(f"/enrollments/{target}/pause").raise_for_status()
    server.state.backdate([target], to=mark, seconds=120)
    load.run(lookback_seconds=lookback_seconds)
    return target


def test_a_change_that_becomes_visible_late_is_picked_up_by_the_lookback(unify, loader, warehouse):
    server = unify(enrollments=600)
    load = loader(server.base_url, warehouse)
    _late_change(server, load, lookback_seconds=300)
    assert_matches_truth(load.warehouse, server.state)


def test_without_a_lookback_the_late_change_would_be_lost(unify, loader):
    """The control for the test above: it shows the late change really is behind the mark."""
    server = unify(enrollments=600)
    load = loader(server.base_url)
    target = _late_change(server, load, lookback_seconds=0)
    query = "select is_paused from unify.enrollments where id = ?"
    assert load.warehouse.rows(query, [target]) == [(False,)]


def test_the_high_water_mark_never_passes_the_run_upper_bound(unify, loader):
    server = unify(enrollments=500, frozen_clock=False)
    load = loader(server.base_url)
    load.run()
    mark = load.state()["enrollments_updated_at"]
    newest = max(r["updated_at"] for r in server.state.all_enrollments())
    assert instant(mark) == instant(newest)


def test_deleted_sequences_are_kept_and_flagged(unify, loader, warehouse):
    server = unify(enrollments=1000)
    load = loader(server.base_url, warehouse)
    load.run()
    victim = server.state.world.sequences[0]
    server.client.delete(f"/sequences/{victim.id}").raise_for_status()
    load.run(sequences_refresh_minutes=0)  # the next listing notices
    assert_matches_truth(load.warehouse, server.state)
    query = "select name, is_deleted from unify.sequences where id = ?"
    assert load.warehouse.rows(query, [victim.id]) == [(victim.body["name"], True)]


def test_a_field_the_api_adds_later_lands_as_a_new_column(unify, loader, warehouse, monkeypatch):
    server = unify(enrollments=300)
    real = render.enrollments

    def newer_api(world, table, indexes):
        rows = real(world, table, indexes)
        for row in rows:
            row["is_draft_approval_pending"] = False
            row["person"] = row["person"] | {"title": "VP Sales"}
        return rows

    load = loader(server.base_url, warehouse)
    load.run()
    monkeypatch.setattr(render, "enrollments", newer_api)
    server.state.advance(3 * 86400)
    load.run()
    rows = load.warehouse.rows
    flags = rows("select count(*) from unify.enrollments where is_draft_approval_pending = false")
    titles = rows("select count(*) from unify.persons where title = 'VP Sales'")
    assert flags[0][0] > 0 and titles[0][0] > 0


def test_sequences_are_listed_again_once_the_refresh_interval_has_passed(unify, loader):
    server = unify(enrollments=500)
    load = loader(server.base_url)
    load.run()
    seq = next(s for s in server.state.world.sequences if not s.is_paused)
    server.client.post(f"/sequences/{seq.id}/pause").raise_for_status()
    load.run()  # within the interval: the pause is not seen yet
    query = "select is_paused from unify.sequences where id = ?"
    assert load.warehouse.rows(query, [seq.id]) == [(False,)]
    summary = load.run(sequences_refresh_minutes=0.0001)
    assert summary.requests == 3  # the listing, the changed sequence's steps, one enrollments page
    assert_matches_truth(load.warehouse, server.state)


def test_concurrent_windows_load_the_same_rows_as_one_cursor(unify, tmp_path):
    server = unify(enrollments=3000, faults=FaultConfig(latency_ms=5))
    results = []
    for concurrency in (1, 8):
        load = Loader(tmp_path / f"c{concurrency}", server.base_url)
        (tmp_path / f"c{concurrency}").mkdir()
        summary = load.run(concurrency=concurrency)
        results.append(loaded_tables(load.warehouse))
        if concurrency > 1:
            assert summary.requests > 31  # 32 windows, each paged on its own
    assert results[0] == results[1]
    assert_matches_truth(load.warehouse, server.state)
