"""The sandbox's Bulk API query jobs, over HTTP: lifecycle, result pages, errors, the budget."""

from __future__ import annotations

import time

import orjson

from tests.unify.truth import instant

NDJSON = {"accept": "application/x-ndjson"}


def _finished(server, kind: str, body: dict | None = None) -> str:
    created = server.client.post(f"/{kind}/query-jobs", json=body)
    assert created.status_code == 201, created.text
    job_id = created.json()["job_id"]
    deadline = time.monotonic() + 10
    while server.client.get(f"/{kind}/query-jobs/{job_id}").json()["status"] != "FINISHED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return job_id


def test_a_job_runs_then_pages_its_snapshot_as_json_and_ndjson(unify):
    server = unify(enrollments=2500)
    server.sandbox.jobs.ready_after = 0.3
    created = server.client.post("/enrollments/query-jobs").json()
    assert created["status"] == "IN_PROGRESS" and created["expires_at"].endswith("Z")
    results = f"/enrollments/query-jobs/{created['job_id']}/results"
    not_ready = server.client.get(results)
    assert not_ready.status_code == 409 and not_ready.json()["status"] == "results_not_ready"
    job_id = _finished(server, "enrollments")
    job = server.client.get(f"/enrollments/query-jobs/{job_id}").json()
    assert job["total_rows"] == 2500 and job["error_code"] is None and job["canceled_at"] is None
    before = {e["id"]: e["updated_at"] for e in server.state.all_enrollments()}
    assert server.state.advance(6 * 3600) > 0  # results are immutable once the job exists
    seen = []
    for page in (1, 2, 3):
        answer = server.client.get(f"/enrollments/query-jobs/{job_id}/results",
                                   params={"page": page, "page_size": 1000}, headers=NDJSON)  # fmt: skip
        assert answer.headers["content-type"].startswith("application/x-ndjson")
        assert answer.headers["x-total"] == "2500" and answer.headers["x-page"] == str(page)
        seen += [orjson.loads(line) for line in answer.content.splitlines()]
    assert len(seen) == len({r["id"] for r in seen}) == 2500
    assert {r["id"]: r["updated_at"] for r in seen} == before
    assert "created_at" not in seen[0] and "is_excluded" not in seen[0] and "version" in seen[0]
    as_json = server.client.get(f"/enrollments/query-jobs/{job_id}/results",
                                params={"page": 1, "page_size": 10}).json()  # fmt: skip
    assert as_json["total"] == 2500 and as_json["data"] == seen[:10]


def test_filters_select_rows_and_bad_filters_are_400s(unify):
    server = unify(enrollments=1500)
    everything = server.state.all_enrollments()
    mark = sorted(e["updated_at"] for e in everything)[1000]
    job_id = _finished(server, "enrollments", {"filter": {"updated_at": {"gte": mark},
                                                          "status": {"in": ["FINISHED"]}}})  # fmt: skip
    page = server.client.get(f"/enrollments/query-jobs/{job_id}/results",
                             params={"page_size": 2000}).json()  # fmt: skip
    expected = {e["id"] for e in everything
                if instant(e["updated_at"]) >= instant(mark) and e["status"] == "FINISHED"}  # fmt: skip
    assert {r["id"] for r in page["data"]} == expected and page["total"] == len(expected)
    bad = server.client.post("/enrollments/query-jobs", json={"filter": {
        "updated_at": {}, "status": {"in": ["LOST"]}, "sequence": {}, "colour": 1}})  # fmt: skip
    assert bad.status_code == 400
    paths = {tuple(e["path"]) for e in bad.json()["errors"]}
    assert {("filter", "updated_at"), ("filter", "status", "in", 0), ("filter", "sequence", "id"),
            ("filter",)} <= paths  # fmt: skip


def test_page_limits_failures_expiry_cancel_and_the_daily_budget(unify):
    server = unify(enrollments=300)
    jobs = server.sandbox.jobs
    job_id = _finished(server, "enrollment-steps")
    too_big = server.client.get(f"/enrollment-steps/query-jobs/{job_id}/results",
                                params={"page_size": 2001})  # fmt: skip
    assert too_big.status_code == 413 and too_big.json()["status"] == "results_page_too_large"
    jobs.fail_next = 1
    failed = server.client.post("/enrollment-steps/query-jobs").json()["job_id"]
    answer = server.client.get(f"/enrollment-steps/query-jobs/{failed}/results")
    assert answer.status_code == 409 and answer.json()["status"] == "results_failed"
    server.state.clock.advance(25 * 3600)
    expired = server.client.get(f"/enrollment-steps/query-jobs/{job_id}/results")
    assert expired.status_code == 410 and expired.json()["status"] == "results_expired"
    jobs.ready_after = 30
    running = server.client.post("/enrollment-steps/query-jobs").json()["job_id"]
    assert server.client.post(f"/enrollment-steps/query-jobs/{running}/cancel").json() == {
        "job_id": running, "status": "CANCELED"}  # fmt: skip
    again = server.client.post(f"/enrollment-steps/query-jobs/{running}/cancel")
    assert again.status_code == 409 and again.json()["status"] == "job_not_cancelable"
    listed = server.client.get("/enrollment-steps/query-jobs", params={"status": "CANCELED"})
    assert [j["job_id"] for j in listed.json()["jobs"]] == [running]
    jobs.daily_budget = 1  # one job was created within the last 24 h of the clock
    spent = server.client.post("/enrollments/query-jobs")
    assert spent.status_code == 429 and int(spent.headers["retry-after"]) > 3600
