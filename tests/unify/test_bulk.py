"""The Bulk API paths against the sandbox's query jobs: a bulk backfill, enrollment steps,
and jobs that are slow, fail, expire, are canceled, or cannot be created."""

from __future__ import annotations

import threading
import time

import pytest

from sources.common.state import resource_state
from tests.support.cli import run_cli
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.bulk_truth import expected_companies, expected_steps, loaded
from tests.unify.environment import cli_env
from tests.unify.loading import BULK, STEPS, Loader
from tests.unify.truth import QUERIES, assert_matches_truth


def _tables(warehouse) -> dict[str, list[tuple]]:
    return {table: sorted(warehouse.rows(sql), key=str) for table, sql in QUERIES.items()}


def test_the_default_first_load_is_a_list_load_plus_the_tables_only_bulk_rows_fill(unify, tmp_path):
    """No column is null where the world has a value: the list endpoint gives created_at,
    is_excluded, received_at and mailbox details, one query job the companies and routing."""
    server = unify(enrollments=2500)
    by_list, by_bulk = (Loader(tmp_path / name, server.base_url) for name in ("list", "bulk"))
    for name in ("list", "bulk"):
        (tmp_path / name).mkdir()
    listed = by_list.run()
    summary = by_bulk.run(**BULK | {"enrollment_steps": False})
    assert summary.requests <= listed.requests + 15  # the list pass, one job: create, polls, page
    assert_matches_truth(by_bulk.warehouse, server.state)
    assert _tables(by_bulk.warehouse) == _tables(by_list.warehouse)
    for table, rows in expected_companies(server.state).items():  # nothing the bulk rows carry
        assert set(loaded(by_bulk.warehouse, table)) == rows, table  # is dropped
    server.state.advance(2 * 86400)
    by_list.run()
    by_bulk.run(**BULK | {"enrollment_steps": False})  # increments: the list endpoint alone
    assert_matches_truth(by_bulk.warehouse, server.state)
    assert by_bulk.state()["enrollments_updated_at"] == by_list.state()["enrollments_updated_at"]


def test_enrollment_steps_equal_the_sandbox_and_follow_its_activity(unify, loader, warehouse):
    server = unify(enrollments=1500)
    load = loader(server.base_url, warehouse)
    load.run(**STEPS)
    assert_matches_truth(load.warehouse, server.state)  # the list backfill keeps created_at
    assert set(loaded(load.warehouse, "enrollment_steps")) == expected_steps(server.state)
    server.state.advance(3 * 86400)
    summary = load.run(**BULK)
    assert 0 < summary.rows["enrollment_steps"] < len(expected_steps(server.state))
    steps = loaded(load.warehouse, "enrollment_steps")
    assert len(steps) == len({s[0] for s in steps})
    assert set(steps) == expected_steps(server.state)
    assert_matches_truth(load.warehouse, server.state)


def test_a_job_still_running_is_polled_until_it_finishes(unify, loader):
    server = unify(enrollments=500)
    server.sandbox.jobs.ready_after = 1.0
    load = loader(server.base_url)
    started = time.monotonic()
    load.run(**BULK)
    assert time.monotonic() - started >= 1.0
    assert set(loaded(load.warehouse, "enrollment_steps")) == expected_steps(server.state)


def _cancel_in_progress_jobs(server) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for job_id, job in list(server.sandbox.jobs.jobs.items()):
            if server.sandbox.jobs.status(job) == "IN_PROGRESS":
                server.client.post(f"/enrollment-steps/query-jobs/{job_id}/cancel")
                return
        time.sleep(0.02)


@pytest.mark.parametrize("ending", ["FAILED", "EXPIRED", "CANCELED"])
def test_a_job_that_ends_without_results_fails_the_run_and_leaves_state_untouched(
    unify, loader, ending
):
    server = unify(enrollments=800)
    load = loader(server.base_url)
    load.run(**STEPS)
    mark, before = load.source_state(), loaded(load.warehouse, "enrollment_steps")
    server.state.advance(2 * 86400)
    jobs = server.sandbox.jobs
    canceler = None
    if ending == "FAILED":
        jobs.fail_next = 1
    elif ending == "EXPIRED":
        jobs.lifetime_us = 0
    else:
        jobs.ready_after = 3.0
        canceler = threading.Thread(target=_cancel_in_progress_jobs, args=(server,))
        canceler.start()
    with pytest.raises(Exception) as failure:
        load.run(**STEPS)
    if canceler:
        canceler.join()
    assert f"ended {ending}" in str(failure.value) and "no high-water mark moved" in str(
        failure.value
    )
    assert load.source_state() == mark
    assert loaded(load.warehouse, "enrollment_steps") == before
    jobs.fail_next, jobs.lifetime_us, jobs.ready_after = 0, 86_400_000_000, 0.0
    load.run(**STEPS)
    assert set(loaded(load.warehouse, "enrollment_steps")) == expected_steps(server.state)
    assert_matches_truth(load.warehouse, server.state)


def test_a_spent_job_budget_still_loads_every_enrollment_column_and_steps_wait(unify, loader):
    server = unify(enrollments=1000)
    server.sandbox.jobs.daily_budget = 0
    load = loader(server.base_url)
    summary = load.run(**BULK)
    assert_matches_truth(load.warehouse, server.state)  # the list pass does not need a job
    assert "enrollment_steps" not in summary.rows and "companies" not in summary.rows
    assert "steps_updated_at" not in resource_state(load.pipeline(), "unify", "enrollment_steps")
    server.sandbox.jobs.daily_budget = 100
    server.state.advance(3600)
    load.run(**BULK)  # a later run catches up
    assert set(loaded(load.warehouse, "enrollment_steps")) == expected_steps(server.state)


def test_the_pipelines_own_count_of_jobs_keeps_it_under_its_daily_budget(unify, loader):
    server = unify(enrollments=400)
    load = loader(server.base_url)
    load.run(**BULK | {"daily_query_jobs": 2})  # the backfill and one steps job
    created = len(server.sandbox.jobs.jobs)
    server.state.advance(3600)
    load.run(**BULK | {"daily_query_jobs": 2})
    assert len(server.sandbox.jobs.jobs) == created == 2  # no third job was asked for


def test_the_cli_backfills_through_the_bulk_api_by_default(unify, tmp_path):
    server = unify(enrollments=900)
    env = cli_env(server.base_url, tmp_path) | {"SOURCES__UNIFY__QUERY_JOB_POLL_SECONDS": "0.05"}
    env.pop("SOURCES__UNIFY__BACKFILL"), env.pop("SOURCES__UNIFY__ENROLLMENT_STEPS")
    result = run_cli(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert "enrollment_steps" in result.stdout
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    assert set(loaded(warehouse, "enrollment_steps")) == expected_steps(server.state)
    again = tmp_path / "again"
    env = cli_env(server.base_url, again)
    no_steps = run_cli(again, env, "--no-enrollment-steps", "--backfill", "list")
    assert no_steps.returncode == 0 and "enrollment_steps" not in no_steps.stdout
