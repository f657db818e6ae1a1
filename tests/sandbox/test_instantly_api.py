"""The Instantly sandbox's behaviour where the vendor's documents describe more than the
schemas do (docs/vendors/instantly.md, General): paging, the error envelope, keys, scopes and plans."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from sandbox.instantly import (
    ALL_SCOPES,
    DEFAULT_API_KEY,
    DOCUMENTED_LIMITS,
    InstantlySandbox,
    WindowLimit,
)

LEADS_ONLY = "leads-only-key"


@pytest.fixture
def served() -> Iterator[tuple[InstantlySandbox, str]]:
    sandbox = InstantlySandbox.create(
        campaigns=25, accounts=7, frozen_clock=True,
        api_keys={DEFAULT_API_KEY: ALL_SCOPES, LEADS_ONLY: frozenset({"leads:read"})},
    )  # fmt: skip
    with sandbox.serve() as url:
        yield sandbox, InstantlySandbox.base_url(url)


def _get(
    base: str, path: str, key: str | None = DEFAULT_API_KEY, **params: object
) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.get(base + path, params=params, headers=headers)


def test_paging_follows_next_starting_after_and_a_full_last_page_still_names_one(served):
    sandbox, base = served
    seen, after, pages = [], None, 0
    while True:
        body = _get(base, "/campaigns", limit=5, **({"starting_after": after} if after else {}))
        body = body.raise_for_status().json()
        pages += 1
        if not body["items"]:  # the documented way to stop: an empty page
            assert "next_starting_after" not in body
            break
        seen += [c["id"] for c in body["items"]]
        after = body["next_starting_after"]  # 25 = 5 full pages: the fifth still names one
    assert pages == 6 and seen == sorted(c["id"] for c in sandbox.state.world.campaigns)
    short = _get(base, "/accounts", limit=5).json()
    rest = _get(base, "/accounts", limit=5, starting_after=short["next_starting_after"]).json()
    assert len(rest["items"]) == 2 and "next_starting_after" not in rest  # a short page ends


@pytest.mark.parametrize(
    ("key", "path", "params", "status", "message"),
    [
        (None, "/campaigns", {}, 401, "Missing Authorization header"),
        ("wrong", "/campaigns", {}, 401, "Invalid API key"),
        (LEADS_ONLY, "/campaigns", {}, 403, "Forbidden"),  # the vendor names no scope
        (DEFAULT_API_KEY, "/campaigns", {"limit": 101}, 400, "querystring/limit must be <= 100"),
        (DEFAULT_API_KEY, "/accounts", {"status": 7}, 400, "querystring/status must be equal"),
        (DEFAULT_API_KEY, "/campaigns/not-a-uuid", {}, 400, 'params/id must match format "uuid"'),
        (DEFAULT_API_KEY, "/campaigns/00000000-0000-4000-8000-000000000000", {}, 404, "not found"),
    ],
)
def test_errors_use_the_vendors_envelope(served, key, path, params, status, message):
    _, base = served
    answer = _get(base, path, key, **params)
    body = answer.json()
    assert answer.status_code == status and body["statusCode"] == status
    assert set(body) == {"statusCode", "error", "message"} and message in body["message"]


def test_a_workspace_without_a_paid_plan_gets_402():
    sandbox = InstantlySandbox.create(campaigns=3, accounts=2, paid_plan=False)
    with sandbox.serve() as url:
        answer = _get(InstantlySandbox.base_url(url), "/campaigns")
    assert answer.status_code == 402 and "paid plan" in answer.json()["message"]


def test_the_sandbox_runs_on_its_own_from_the_command_line():
    result = subprocess.run([sys.executable, "-m", "sandbox", "instantly", "--help"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0 and "--campaigns" in result.stdout and "--drop" in result.stdout


def test_a_limit_on_one_path_answers_429_in_the_envelope_without_retry_after():
    """Instantly's per-endpoint limits (20 a minute on emails) beside the workspace's, and no
    Retry-After on its 429s: a client must back off on its own."""
    limits = (WindowLimit(3, 86_400.0, "/api/v2/accounts"), WindowLimit(50, 86_400.0))
    sandbox = InstantlySandbox.create(campaigns=3, accounts=2, rate_limits=limits)
    with sandbox.serve() as url:
        base = InstantlySandbox.base_url(url)
        assert [_get(base, "/accounts").status_code for _ in range(3)] == [200] * 3
        limited = _get(base, "/accounts")
        assert _get(base, "/campaigns").status_code == 200  # another path: not that limit
    assert limited.status_code == 429 and "retry-after" not in limited.headers
    assert limited.json()["statusCode"] == 429 and limited.json()["error"] == "Too Many Requests"


def test_the_documented_limits_are_the_vendors():
    assert {(w.requests, w.window_seconds, w.path) for w in DOCUMENTED_LIMITS} == {
        (100, 1.0, ""), (6_000, 60.0, ""), (20, 60.0, "/api/v2/emails"),
    }  # fmt: skip


def test_a_documented_filter_is_honoured_or_refused_never_ignored(served):
    """A filter the sandbox implements filters; one it does not is a 400 naming it, so that no
    client reads every row believing they were filtered."""
    _, base = served
    assert _get(base, "/campaigns", tag_ids="0199e678-3615-7d61-ab24-348b3ada71a4").json() == {
        "items": []
    }  # no campaign in the world carries that tag
    active = _get(base, "/campaigns", limit=100, exclude_status=1).json()["items"]
    assert active and all(c["status"] != 1 for c in active)
    for path, name, value in (("/accounts", "sort_by", "timestamp_created"),
                              ("/emails", "i_status", 1), ("/emails", "latest_of_thread", "true")):  # fmt: skip
        refused = _get(base, path, **{name: value})
        assert refused.status_code == 400, (path, name)
        assert refused.json()["message"] == f"querystring/{name} is not supported by this sandbox"


def test_paths_beside_an_id_route_are_served_as_themselves(served):
    """`/campaigns/count-launched` and `/search-by-contact` are operations of their own, not a
    campaign named "count-launched"."""
    sandbox, base = served
    launched = _get(base, "/campaigns/count-launched")
    assert launched.status_code == 200
    live = [c for c in sandbox.state.world.campaigns if sandbox.state.world.live(c)]
    assert launched.json() == {"count": sum(c["status"] != 0 for c in live)}
    lead = next(x for x in sandbox.state.leads_now() if x["email"] and x["campaign"])
    found = _get(base, "/campaigns/search-by-contact", search=lead["email"]).json()["items"]
    assert lead["campaign"] in {c["id"] for c in found}
