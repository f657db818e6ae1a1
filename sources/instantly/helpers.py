"""Instantly API v2 calls on the shared HTTP layer: the client, its limits, cursor paging.

Errors come as `{statusCode, error, message}` (the shared layer's default format reads `message`).
Listings page with `limit` and `starting_after`; the answer's `next_starting_after` names where to
go on, and "a page can carry a `next_starting_after` even when it's the last one with data; the
follow-up fetch then returns no items. Break on an empty page" (docs/vendors/instantly.md, General):
paging stops on an empty page or a missing cursor, whichever first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sources.common.errors import ConfigurationError, check_key_and_url
from sources.common.http import ApiClient, ApiResponse
from sources.common.ratelimit import RateLimits, RequestLimiter
from sources.common.retries import RetryPolicy
from sources.common.stats import RunStats
from sources.instantly.settings import (
    BASE_SETTING,
    EMAILS_LIMIT,
    EMAILS_PATH,
    KEY_SETTING,
    PAGE_LIMIT,
    SCOPES,
    WORKSPACE_LIMITS,
)


def check_settings(api_key: str, base_url: str) -> None:
    check_key_and_url("Instantly", "instantly", api_key, base_url, KEY_SETTING)


def rate_limits(
    emails_limit: tuple[int, int] = EMAILS_LIMIT, rate_share: float = 1.0
) -> RateLimits:
    """The workspace's limits and the emails endpoint's own, `rate_share` of each: one set for
    every client of a run, since its resources are read in turn within the same second."""
    return RateLimits(
        *(RequestLimiter(*limit) for limit in WORKSPACE_LIMITS),
        per_path={EMAILS_PATH: [RequestLimiter(*emails_limit)]},
    ).part(rate_share)


def make_client(
    api_key: str,
    base_url: str,
    policy: RetryPolicy | None = None,
    stats: RunStats | None = None,
    limits: RateLimits | None = None,
    as_workspace: str | None = None,
) -> ApiClient:
    """A client within `limits` (by default the documented ones, its own); with
    `as_workspace`, an admin key's client acting on that member of its group."""
    check_settings(api_key, base_url)
    headers = {"authorization": f"Bearer {api_key.strip()}"}
    if as_workspace:
        headers["x-as-workspace"] = as_workspace.strip()
    limits = limits or rate_limits()
    return ApiClient(
        base_url, vendor="Instantly", auth_headers=headers,
        key_setting=KEY_SETTING, base_setting=BASE_SETTING, policy=policy, limits=limits,
        stats=stats, scopes=SCOPES,
    )  # fmt: skip


def _checked(client: ApiClient, path: str, response: ApiResponse) -> list[dict[str, Any]]:
    body = response.body
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise ConfigurationError(
            f"{client.base_url_for_errors()}{path} did not answer like the Instantly API"
            f" (no list of items): check {BASE_SETTING}"
        )
    return body["items"]


def _paged(
    client: ApiClient,
    path: str,
    fetch: Callable[[dict[str, Any]], ApiResponse],
    query: dict[str, Any],
) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """(items, cursor to go on from) per page, until an empty page or one without a cursor."""
    while True:
        response = fetch(query)
        items = _checked(client, path, response)
        if not items:
            return
        after = response.body.get("next_starting_after") or None
        yield items, after
        if after is None:
            return
        query = {**query, "starting_after": after}


def pages(
    client: ApiClient, path: str, params: dict[str, Any] | None = None
) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """Every page of a `GET` listing."""
    query = {**(params or {}), "limit": PAGE_LIMIT}
    return _paged(client, path, lambda q: client.get(path, params=q, collection=True), query)


def lead_pages(
    client: ApiClient, body: dict[str, Any] | None = None
) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """Every page of `POST /leads/list`, which takes its paging in the JSON body."""
    path, query = "/leads/list", {**(body or {}), "limit": PAGE_LIMIT}
    return _paged(client, path, lambda q: client.post_query(path, q, collection=True), query)


def group_members(client: ApiClient) -> list[dict[str, Any]]:
    """The accepted members of the admin workspace's group (`GET /workspace-group-members`): a
    pending or rejected invitation is not a workspace the key may act on."""
    found = [m for items, _ in pages(client, "/workspace-group-members") for m in items]
    return [m for m in found if m.get("status") == "accepted" and m.get("sub_workspace_id")]
