"""The shared HTTP layer: what is retried, how long it waits, what is never retried."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from sources.common.bodies import ErrorFormat
from sources.common.errors import (
    AuthenticationError,
    BadRequestError,
    HttpStatusError,
    NotFoundError,
    RetriesExhaustedError,
)
from sources.common.retries import RetryPolicy, TransientError, parse_retry_after
from tests.support.http import client_for

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
    assert waits[0] == 0.5 and waits[2] == 7.0
    assert 0.5 <= waits[1] <= 1.5  # no Retry-After at all: the backoff's second step


def test_a_429_without_retry_after_backs_off_exponentially(monkeypatch):
    """Instantly answers 429 with no Retry-After: a fixed short wait would spend every attempt
    inside the same full window."""
    waits: list[float] = []
    monkeypatch.setattr("tenacity.nap.time.sleep", waits.append)
    policy = RetryPolicy(max_attempts=6, backoff_initial=1.0, backoff_max=60, retry_after_floor=1)
    client, _ = client_for([httpx.Response(429)] * 5 + [OK], policy)
    client.get("/things")
    assert len(waits) == 5 and all(b > a for a, b in itertools.pairwise(waits))
    assert sum(waits) >= 1 + 2 + 4 + 8 + 16


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


def test_a_bad_request_shows_the_api_message_and_is_not_retried():
    client, seen = client_for([httpx.Response(400, json={"message": "limit is too big"})])
    with pytest.raises(BadRequestError, match="refused GET /things: limit is too big"):
        client.get("/things")
    assert len(seen) == 1


def test_a_vendor_error_format_reads_its_own_envelope():
    class Listed(ErrorFormat):
        def code(self, body):
            return body.get("kind")

        def problems(self, body):
            return body.get("issues", [])

        def describe_problem(self, problem):
            return problem["field"]

    body = {"kind": "invalid", "issues": [{"field": "limit"}, {"field": "offset"}]}
    client, _ = client_for([httpx.Response(400, json=body)], errors=Listed())
    with pytest.raises(BadRequestError, match="limit; offset") as caught:
        client.get("/things")
    assert caught.value.errors == body["issues"]
    client, _ = client_for([httpx.Response(409, json=body)], errors=Listed())
    with pytest.raises(HttpStatusError) as conflict:
        client.get("/things")
    assert (conflict.value.status, conflict.value.code) == (409, "invalid")


def test_a_page_check_turns_an_inconsistent_page_into_a_retry():
    pages = [
        httpx.Response(200, content=b'{"id": 1}\n'),
        httpx.Response(200, content=b'{"id": 1}\n{"id": 2}\n'),
    ]

    def two_rows(rows, headers):
        if len(rows) != 2:
            raise TransientError("short page")

    client, seen = client_for(pages)
    assert client.get_ndjson("/rows", check=two_rows).body == [{"id": 1}, {"id": 2}]
    assert len(seen) == 2 and client.stats["retries"] == 1


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


def test_a_field_the_answer_lacked_is_one_line_naming_it_and_the_request():
    """Not `KeyError: 'id'`: which vendor, which request, which field."""
    from pipelines.errors import explain
    from sources.common.errors import UnreadableResponseError, readable
    from sources.common.stats import RunStats

    stats = RunStats()

    def resource() -> Any:
        stats.reading("GET /campaigns")
        yield {"name": "no id"}
        raise KeyError("id")

    rows = readable("Instantly", stats)(resource)()
    assert next(rows) == {"name": "no id"}
    with pytest.raises(UnreadableResponseError) as caught:
        next(rows)
    line, code = explain(caught.value, [])
    assert line.startswith("Instantly answered GET /campaigns without the field 'id'")
    assert "\n" not in line and code == 1
