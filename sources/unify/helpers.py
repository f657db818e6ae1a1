"""Unify API calls: cursor paging over the list endpoints, on the shared HTTP layer."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from sources.common.errors import ConfigurationError, NotFoundError
from sources.common.http import ApiClient, ApiResponse, RetryPolicy
from sources.common.ratelimit import RequestLimiter
from sources.unify.settings import (
    CLOCK_SKEW_SECONDS,
    KEY_SETTING,
    MIN_WINDOW,
    PAGE_LIMIT,
    RATE_LIMIT,
)


def check_settings(api_key: str, base_url: str) -> None:
    """Refuse a missing key or a base URL that is not http(s), naming the setting to fix."""
    if not api_key or not api_key.strip():
        raise ConfigurationError(f"No Unify API key: set {KEY_SETTING}")
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"Unify base_url {base_url!r} is not an http(s) URL: fix SOURCES__UNIFY__BASE_URL"
        )


def make_client(
    api_key: str,
    base_url: str,
    policy: RetryPolicy | None = None,
    concurrency: int = 1,
) -> ApiClient:
    check_settings(api_key, base_url)
    return ApiClient(
        base_url,
        vendor="Unify",
        auth_headers={"x-api-key": api_key.strip()},
        key_setting=KEY_SETTING,
        policy=policy,
        limiter=RequestLimiter(*RATE_LIMIT),
        max_connections=concurrency + 2,
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


def first_page(
    client: ApiClient, path: str, items: str, params: list[tuple[str, Any]]
) -> ApiResponse:
    """One page of a list endpoint, checked to look like the Unify API's."""
    response = client.get(path, params=[*params, ("limit", PAGE_LIMIT)])
    body = response.body
    if not isinstance(body, dict) or not isinstance(body.get(items), list):
        raise ConfigurationError(
            f"{client.base_url_for_errors()}{path} did not answer like the Unify API"
            " (no list of items): check SOURCES__UNIFY__BASE_URL"
        )
    return response


def pages(
    client: ApiClient, path: str, items: str, params: list[tuple[str, Any]]
) -> Iterator[ApiResponse]:
    """Every page of a cursor-paged list endpoint, following `next_cursor` until it is null."""
    response = first_page(client, path, items, params)
    while True:
        yield response
        cursor = response.body.get("next_cursor")
        if not cursor:
            return
        response = first_page(client, path, items, [*params, ("cursor", cursor)])


def get_sequence(client: ApiClient, sequence_id: str) -> dict[str, Any] | None:
    """A sequence, or None when it no longer exists (deleted)."""
    try:
        return client.get(f"/sequences/{sequence_id}").body
    except NotFoundError:
        return None


def windows(
    start: datetime | None, upper: datetime, floor: datetime | None, count: int
) -> list[tuple[datetime | None, datetime]]:
    """Split [start, upper] into `count` windows of equal duration for concurrent paging.

    Bounds are inclusive (as the API's are) and one microsecond apart, so no row is in two
    windows. Without a start the first window is open below, so it also holds everything older
    than `floor` (a guess at the oldest row, used only to place the boundaries).
    """
    low = start or floor
    if count <= 1 or low is None or upper - low < MIN_WINDOW * count:
        return [(start, upper)]
    step = (upper - low) / count
    edges = [low + step * k for k in range(count)] + [upper]
    tick = timedelta(microseconds=1)
    spans: list[tuple[datetime | None, datetime]] = []
    for k in range(count):
        lower = start if k == 0 else edges[k]
        spans.append((lower, edges[k + 1] - tick if k < count - 1 else upper))
    return spans


def concurrent_pages(
    client: ApiClient,
    path: str,
    items: str,
    queries: list[list[tuple[str, Any]]],
    workers: int,
) -> Iterator[ApiResponse]:
    """Every page of several queries; each query follows its own cursor, up to `workers` of them
    at once. Pages come in arrival order; the first error stops everything and is raised."""
    done = object()
    handoff: queue.Queue[Any] = queue.Queue(maxsize=2 * max(1, workers))
    stop = threading.Event()

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def work(params: list[tuple[str, Any]]) -> None:
        try:
            for response in pages(client, path, items, params):
                if stop.is_set():
                    return
                put(response)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)
        finally:
            put(done)

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="pages")
    try:
        for params in queries:
            pool.submit(work, params)
        remaining = len(queries)
        while remaining:
            item = handoff.get()
            if item is done:
                remaining -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
