"""The shared HTTP layer: what is retried, how long it waits, what is never retried."""

from __future__ import annotations

import httpx
import pytest

from sources.common.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RetriesExhaustedError,
)
from sources.common.http import ApiClient, RetryPolicy, parse_retry_after


def client_for(responses: list, policy: RetryPolicy | None = None) -> tuple[ApiClient, list]:
    """A client whose transport answers from `responses` in turn (an httpx.Response or an
    exception to raise), recording the requests it saw."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen) - 1, len(responses) - 1)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = ApiClient(
        "https://api.example.test/v1", vendor="Vendor", auth_headers={"x-api-key": "sek-ret-1"},
        key_setting="VENDOR_KEY", transport=httpx.MockTransport(handler),
        policy=policy or RetryPolicy(max_attempts=4, backoff_initial=0.001, retry_after_floor=0.01),
    )  # fmt: skip
    return client, seen


OK = httpx.Response(200, json={"ok": True})


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(429, json={"status": "rate_limited", "message": "slow down"}),
        httpx.Response(500, json={"status": "error", "message": "boom"}),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.Response(503, text="unavailable"),
        httpx.Response(504, text="timeout"),
        httpx.Response(200, content=b'{"enrollments": [{"id": '),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
    ],
)
def test_transient_failures_are_retried(failure):
    client, seen = client_for([failure, failure, OK])
    assert client.get("/things").body == {"ok": True}
    assert len(seen) == 3 and client.stats["retries"] == 2


def test_retry_after_is_honoured_with_a_floor(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("tenacity.nap.time.sleep", waits.append)
    policy = RetryPolicy(max_attempts=4, retry_after_floor=0.5, retry_after_cap=30)
    limited = [
        httpx.Response(429, headers={"retry-after": "0"}),
        httpx.Response(429),
        httpx.Response(429, headers={"retry-after": "7"}),
        OK,
    ]
    client, _ = client_for(limited, policy)
    client.get("/things")
    assert waits == [0.5, 0.5, 7.0]


def test_exhausted_retries_are_one_clear_error():
    client, seen = client_for([httpx.Response(503, text="down")])
    with pytest.raises(RetriesExhaustedError, match=r"GET /things failed 4 times.*HTTP 503"):
        client.get("/things")
    assert len(seen) == 4


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_stop_at_once_and_name_the_setting(status):
    client, seen = client_for([httpx.Response(status, json={"status": "unauthorized"})])
    with pytest.raises(AuthenticationError, match="VENDOR_KEY") as caught:
        client.get("/things")
    assert len(seen) == 1 and "sek-ret-1" not in str(caught.value)


def test_a_bad_request_shows_the_api_errors_and_is_not_retried():
    body = {"status": "bad_request", "errors": [{"code": "too_big", "path": ["limit"]}]}
    client, seen = client_for([httpx.Response(400, json=body)])
    with pytest.raises(BadRequestError, match="limit: too_big") as caught:
        client.get("/things")
    assert caught.value.errors == body["errors"] and len(seen) == 1


def test_not_found_is_its_own_error():
    client, _ = client_for([httpx.Response(404, json={"status": "not_found"})])
    with pytest.raises(NotFoundError):
        client.get("/things/1")


def test_the_key_travels_only_in_its_header():
    client, seen = client_for([OK])
    client.get("/things", params={"limit": 1})
    assert seen[0].headers["x-api-key"] == "sek-ret-1"
    assert "sek-ret-1" not in str(seen[0].url)


@pytest.mark.parametrize(
    ("value", "seconds"), [("5", 5.0), ("0", 0.0), ("-3", 0.0), ("soon", None), (None, None)]
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
