"""Each fault mode, seen from an ordinary HTTP client; all are off by default."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from sandbox.unify import FaultConfig, WindowLimit


def _get(server, timeout: float = 10.0) -> httpx.Response:
    return server.client.get("/enrollments", params={"limit": 5}, timeout=timeout)


def test_no_faults_by_default(unify):
    server = unify()
    assert all(_get(server).status_code == 200 for _ in range(50))
    assert server.sandbox.faults.config == FaultConfig()


def test_rate_limited_share_answers_429_with_retry_after(unify):
    server = unify(faults=FaultConfig(rate_limited=1.0, retry_after=7))
    response = _get(server)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json()["status"] == "rate_limited"
    server.sandbox.faults.configure(FaultConfig(rate_limited=1.0, retry_after=None))
    assert "retry-after" not in _get(server).headers


def test_server_errors_are_500_json_or_gateway_html(unify):
    server = unify(faults=FaultConfig(server_error=1.0, seed=3))
    seen = {}
    for _ in range(60):
        response = _get(server)
        seen[response.status_code] = response
    assert set(seen) == {500, 502, 503}
    assert seen[500].json() == {"status": "error", "message": "An unexpected error occurred."}
    assert seen[502].headers["content-type"].startswith("text/html")


def test_a_dropped_connection_has_no_answer(unify):
    server = unify(faults=FaultConfig(drop=1.0))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        _get(server)


def test_a_truncated_body_ends_the_connection_early(unify):
    server = unify(faults=FaultConfig(truncate=1.0))
    with pytest.raises(httpx.RemoteProtocolError):
        _get(server)


def test_bad_json_is_a_complete_answer_with_a_broken_body(unify):
    server = unify(faults=FaultConfig(bad_json=1.0))
    response = _get(server)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_slow_answers_time_out_a_short_client_timeout(unify):
    server = unify(faults=FaultConfig(slow=1.0, slow_seconds=2.0))
    with pytest.raises(httpx.ReadTimeout):
        _get(server, timeout=0.3)


def test_latency_is_added_to_every_request(unify):
    server = unify(faults=FaultConfig(latency_ms=150))
    started = time.perf_counter()
    for _ in range(3):
        assert _get(server).status_code == 200
    assert time.perf_counter() - started >= 0.45  # a lower bound: the delay was applied


def test_requests_per_second_cap(unify):
    server = unify(faults=FaultConfig(rps=5))
    codes = [_get(server).status_code for _ in range(30)]
    assert codes.count(200) >= 5 and codes.count(429) > 0
    limited = next(r for r in (_get(server) for _ in range(10)) if r.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1


def test_the_documented_window_limit(unify):
    server = unify(rate_limit=WindowLimit(requests=10, window_seconds=300))
    codes = [_get(server).status_code for _ in range(12)]
    assert codes == [200] * 10 + [429] * 2
    assert 1 <= int(_get(server).headers["retry-after"]) <= 300


def test_a_share_of_faults_is_about_that_share_and_reproducible(unify):
    def run() -> list[int]:
        server = unify(faults=FaultConfig(rate_limited=0.1, server_error=0.1, seed=11))
        return [_get(server).status_code for _ in range(300)]

    first = run()
    assert 30 <= sum(c != 200 for c in first) <= 95
    assert run() == first


def test_faults_spare_the_admin_endpoints_and_can_be_set_over_http(unify):
    server = unify(faults=FaultConfig(server_error=1.0))
    admin = server.base_url.rsplit("/sequences/v1", 1)[0] + "/_sandbox"
    assert httpx.get(admin + "/stats").status_code == 200
    put = httpx.put(admin + "/faults", json={"server_error": 0.0})
    assert put.status_code == 200 and put.json()["server_error"] == 0.0
    assert _get(server).status_code == 200
    bad = httpx.put(admin + "/faults", json={"server_errors": 1})
    assert bad.status_code == 400 and "server_errors" in bad.json()["message"]
    advanced = httpx.post(admin + "/advance", json={"seconds": 86400}).json()
    assert advanced["changed"] > 0
    stats = httpx.get(admin + "/stats").json()
    assert stats["requests"] == {"requests": 1}  # admin calls are not API requests


def test_invalid_fault_settings_are_refused():
    with pytest.raises(ValueError, match="add up"):
        FaultConfig(rate_limited=0.6, drop=0.6).validate()
    with pytest.raises(ValueError, match="unknown"):
        FaultConfig.from_dict({"latency": 5})
