"""Unify API calls on the shared HTTP layer: the client, its error envelope, cursor paging.

Errors come as `{"status": <code>, "message": ..., "errors": [zod issues]}` (the vendor's
OpenAPI document, `ErrorResponse`); NDJSON result pages carry `x-total`, `x-page` and
`x-page-size`, which tell how many rows a page must hold.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized
from typing import Any

import httpx
import pyarrow as pa

from sources.common.bodies import BodyReader, ErrorFormat
from sources.common.errors import ConfigurationError, NotFoundError, check_key_and_url
from sources.common.http import ApiClient, ApiResponse
from sources.common.ratelimit import RateLimits, RequestLimiter
from sources.common.retries import RetryPolicy, TransientError
from sources.common.stats import RunStats
from sources.unify.settings import BASE_SETTING, KEY_SETTING, PAGE_LIMIT, RATE_LIMIT


class UnifyErrors(ErrorFormat):
    """`status` is the machine-readable code; a 400 lists zod issues under `errors`."""

    def code(self, body: Any) -> str | None:
        return body.get("status") if isinstance(body, dict) else None

    def problems(self, body: Any) -> list[dict[str, Any]]:
        errors = body.get("errors") if isinstance(body, dict) else None
        return list(errors) if isinstance(errors, list) else []

    def describe_problem(self, problem: dict[str, Any]) -> str:
        if not isinstance(problem, dict):
            return str(problem)
        path = ".".join(str(p) for p in problem.get("path") or []) or "(body)"
        message = problem.get("message")
        return f"{path}: {problem.get('code')}" + (f" ({message})" if message else "")


def ndjson_page_check(rows: Sized, headers: httpx.Headers) -> None:
    """A results page cut at a line boundary still ends in a newline: its row count, checked
    against x-total, x-page and x-page-size, is what tells."""
    paging = [headers.get(h) for h in ("x-total", "x-page", "x-page-size")]
    if all(v and v.isdigit() for v in paging):
        total, page, size = (int(v) for v in paging)
        if len(rows) != max(0, min(size, total - (page - 1) * size)):
            raise TransientError(f"an NDJSON page of {len(rows)} rows, not as x-total says")


def check_settings(api_key: str, base_url: str) -> None:
    check_key_and_url("Unify", "unify", api_key, base_url, KEY_SETTING)


def rate_limits(rate_share: float = 1.0) -> RateLimits:
    """The key's documented limit, `rate_share` of it: one for every client of a run."""
    return RateLimits(RequestLimiter(*RATE_LIMIT)).part(rate_share)


def make_client(
    api_key: str,
    base_url: str,
    policy: RetryPolicy | None = None,
    concurrency: int = 1,
    stats: RunStats | None = None,
    limits: RateLimits | None = None,
) -> ApiClient:
    """A client within `limits`: by default the documented one, its own."""
    check_settings(api_key, base_url)
    return ApiClient(
        base_url,
        vendor="Unify",
        auth_headers={"x-api-key": api_key.strip()},
        key_setting=KEY_SETTING,
        base_setting=BASE_SETTING,
        errors=UnifyErrors(),
        policy=policy,
        limits=limits or rate_limits(),
        stats=stats,
        max_connections=concurrency + 2,
    )


def first_page(client: ApiClient, path: str, items: str, params: list[tuple[str, Any]],
               read: BodyReader | None = None) -> ApiResponse:  # fmt: skip
    """One page of a list endpoint, checked to look like the Unify API's; `read` may give the
    items as an Arrow array (list_pages)."""
    response = client.get(path, params=[*params, ("limit", PAGE_LIMIT)], collection=True, read=read)
    body = response.body
    if not isinstance(body, dict) or not isinstance(body.get(items), list | pa.Array):
        raise ConfigurationError(
            f"{client.base_url_for_errors()}{path} did not answer like the Unify API"
            f" (no list of items): check {BASE_SETTING}"
        )
    return response


def pages(client: ApiClient, path: str, items: str, params: list[tuple[str, Any]],
          read: BodyReader | None = None) -> Iterator[ApiResponse]:  # fmt: skip
    """Every page of a cursor-paged list endpoint, following `next_cursor` until it is null."""
    response = first_page(client, path, items, params, read)
    while True:
        yield response
        cursor = response.body.get("next_cursor")
        if not cursor:
            return
        response = first_page(client, path, items, [*params, ("cursor", cursor)], read)


def get_sequence(client: ApiClient, sequence_id: str) -> dict[str, Any] | None:
    """A sequence, or None when it no longer exists (deleted)."""
    try:
        return client.get(f"/sequences/{sequence_id}").body
    except NotFoundError:
        return None
