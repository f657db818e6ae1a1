"""Unify API calls: cursor paging over the list endpoints, on the shared HTTP layer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from sources.common.errors import ConfigurationError, NotFoundError
from sources.common.http import ApiClient, ApiResponse, RetryPolicy
from sources.unify.settings import CLOCK_SKEW_SECONDS, KEY_SETTING, PAGE_LIMIT


def make_client(
    api_key: str,
    base_url: str,
    policy: RetryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ApiClient:
    if not api_key or not api_key.strip():
        raise ConfigurationError(f"No Unify API key: set {KEY_SETTING}")
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"Unify base_url {base_url!r} is not an http(s) URL: fix SOURCES__UNIFY__BASE_URL"
        )
    return ApiClient(
        base_url,
        vendor="Unify",
        auth_headers={"x-api-key": api_key.strip()},
        key_setting=KEY_SETTING,
        policy=policy,
        transport=transport,
    )


def server_time(response: ApiResponse) -> datetime:
    """The API's own clock (its Date header), or ours less a skew margin when it sends none.

    The upper bound of a run comes from here, so a client clock that runs fast cannot push the
    bound past what the API has written.
    """
    header = response.headers.get("date")
    if header:
        try:
            return parsedate_to_datetime(header).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC) - timedelta(seconds=CLOCK_SKEW_SECONDS)


def pages(
    client: ApiClient, path: str, items: str, params: list[tuple[str, Any]]
) -> Iterator[ApiResponse]:
    """Every page of a cursor-paged list endpoint, following `next_cursor` until it is null."""
    cursor: str | None = None
    while True:
        query = [*params, ("limit", PAGE_LIMIT)] + ([("cursor", cursor)] if cursor else [])
        response = client.get(path, params=query)
        body = response.body
        if not isinstance(body, dict) or not isinstance(body.get(items), list):
            raise ConfigurationError(
                f"{client.base_url_for_errors()}{path} did not answer like the Unify API"
                " (no list of items): check SOURCES__UNIFY__BASE_URL"
            )
        yield response
        cursor = body.get("next_cursor")
        if not cursor:
            return


def get_sequence(client: ApiClient, sequence_id: str) -> dict[str, Any] | None:
    """A sequence, or None when it no longer exists (deleted)."""
    try:
        return client.get(f"/sequences/{sequence_id}").body
    except NotFoundError:
        return None
