"""Sequenzy API v1 calls on the shared HTTP layer: the client within the key's limits, and the
API's three kinds of paging (docs/vendors/sequenzy.md, General).

Errors come as `{success: false, error}` (the shared layer's default format reads `error`).
Sequences and enrollments page by `limit`/`offset` with `pagination.hasMore`; subscribers by
`cursor`/`nextCursor`; a sequence's events by `page` within `{page, limit, total, totalPages}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sources.common.errors import ConfigurationError, NotFoundError, check_key_and_url
from sources.common.http import ApiClient, ApiResponse
from sources.common.instants import format_instant
from sources.common.notices import notices
from sources.common.paging import anchored_offset_pages
from sources.common.ratelimit import RateLimits, RequestLimiter
from sources.common.retries import RetryPolicy
from sources.common.stats import RunStats
from sources.sequenzy import activity
from sources.sequenzy.rows import keyed
from sources.sequenzy.settings import (
    BASE_SETTING,
    CLIENT_LIMITS,
    CONVERSATIONS_LIMIT,
    EMAIL_METRICS_LIMIT,
    ENROLLMENT_STATUSES,
    ENROLLMENTS_LIMIT,
    EVENT_TYPES,
    EVENTS_LIMIT,
    KEY_SETTING,
    SEQUENCES_LIMIT,
    SUBSCRIBERS_LIMIT,
)

log = notices("sequenzy")


def check_settings(api_key: str, base_url: str) -> None:
    check_key_and_url("Sequenzy", "sequenzy", api_key, base_url, KEY_SETTING)


def rate_limits(limits: tuple[tuple[int, int], ...]) -> RateLimits:
    """Limiters for (requests, per seconds) pairs, shared by every client of one run."""
    return RateLimits(*(RequestLimiter(*limit) for limit in limits))


def make_client(
    api_key: str,
    base_url: str,
    policy: RetryPolicy | None = None,
    stats: RunStats | None = None,
    company_id: str | None = None,
    limits: RateLimits | None = None,
) -> ApiClient:
    """A client within the key's limits; `company_id` selects the company of an account key
    (`x-company-id`)."""
    check_settings(api_key, base_url)
    headers = {"authorization": f"Bearer {api_key.strip()}"}
    if company_id:
        headers["x-company-id"] = company_id.strip()
    return ApiClient(
        base_url, vendor="Sequenzy", auth_headers=headers, key_setting=KEY_SETTING,
        base_setting=BASE_SETTING, policy=policy,
        limits=limits or rate_limits(CLIENT_LIMITS), stats=stats,
        max_connections=4,
    )  # fmt: skip


def listed(
    client: ApiClient, path: str, response: ApiResponse, field: str, key: str | None = None
) -> list[Any]:
    """The answer's list `field`, or a one-line error naming the base URL to check. With
    `key`, only the objects that carry it: the SDK lets any field be absent or null, and one
    without its key cannot be merged, so it is left out with a warning naming the field."""
    body = response.body
    if not isinstance(body, dict) or not isinstance(body.get(field), list):
        raise ConfigurationError(
            f"{client.base_url_for_errors()}{path} did not answer like the Sequenzy API"
            f" (no list of {field}): check {BASE_SETTING}"
        )
    if key is None:
        return body[field]
    kept = keyed(body[field], key)
    if len(kept) < len(body[field]):
        log.warning("Sequenzy GET %s sent %d of its %s without `%s`: not loaded", path,
                    len(body[field]) - len(kept), field, key)  # fmt: skip
    return kept


def _more(response: ApiResponse) -> bool:
    return bool((response.body.get("pagination") or {}).get("hasMore"))


def sequences(client: ApiClient) -> tuple[list[dict[str, Any]], ApiResponse]:
    """Every sequence (newest first), and the first answer (its Date is the API's clock)."""
    out: list[dict[str, Any]] = []
    first: ApiResponse | None = None
    offset = 0
    while True:
        params = {"limit": SEQUENCES_LIMIT, "offset": offset}
        response = client.get("/sequences", params=params, collection=True)
        first = first or response
        page = listed(client, "/sequences", response, "sequences", "id")
        out += page
        offset += len(page)
        if not page or not _more(response):
            return out, first


def companies(client: ApiClient) -> list[dict[str, Any]]:
    """The companies an account-scoped key reaches (`GET /companies`, the SDK's
    `companies.list`), each `{id, name, ...}`."""
    response = client.get("/companies")
    return listed(client, "/companies", response, "companies", "id")


def sequence(client: ApiClient, sequence_id: str) -> dict[str, Any] | None:
    """One sequence with its graph and emails; None when it is gone since it was listed."""
    try:
        body = client.get(f"/sequences/{sequence_id}").body
    except NotFoundError:
        return None
    return body.get("sequence") if isinstance(body, dict) else None


def enrollment_pages(
    client: ApiClient, sequence_id: str, start: int, anchor: str | None
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(offset, enrollments) of every status, oldest first, from `start` (where the caller
    holds `anchor`): every token once, though the pages shift while they are read."""
    path = f"/sequences/{sequence_id}/enrollments"
    statuses = ",".join(ENROLLMENT_STATUSES)

    def fetch(offset: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
        params = {"status": statuses, "sort": "enrolled_at_asc", "limit": limit,
                  "offset": offset}  # fmt: skip
        response = client.get(path, params=params)
        return listed(client, path, response, "enrollments"), _more(response)

    return anchored_offset_pages(fetch, lambda e: e.get("enrollmentId") or "",
                                 limit=ENROLLMENTS_LIMIT, start=start, anchor=anchor)  # fmt: skip


def subscriber_pages(client: ApiClient) -> Iterator[list[dict[str, Any]]]:
    """Every subscriber, newest first, following `nextCursor` ("rather than incrementing
    page")."""
    params: dict[str, Any] = {"limit": SUBSCRIBERS_LIMIT, "status": "all"}
    while True:
        response = client.get("/subscribers", params=params, collection=True)
        page = listed(client, "/subscribers", response, "subscribers", "id")
        if page:
            yield page
        cursor = (response.body.get("pagination") or {}).get("nextCursor")
        if not page or not cursor or not _more(response):
            return
        params = {**params, "cursor": cursor}


def conversation_pages(client: ApiClient) -> Iterator[list[dict[str, Any]]]:
    """Every conversation, of every status, newest first, by page number."""
    page = 1
    while True:
        params = {"status": "all", "limit": CONVERSATIONS_LIMIT, "page": page}
        response = client.get("/conversations", params=params, collection=True)
        found = listed(client, "/conversations", response, "conversations", "id")
        if found:
            yield found
        pagination = response.body.get("pagination") or {}
        if not response.body.get("conversations") or page >= int(pagination.get("totalPages") or 0):
            return
        page += 1


def event_pages(
    client: ApiClient, sequence_id: str, low: datetime, high: datetime, first_page: int = 1
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(page number, events) of every type in [low, high] (at most 90 days), oldest first."""
    path = f"/metrics/sequences/{sequence_id}/events"
    params: dict[str, Any] = {"eventTypes": ",".join(EVENT_TYPES), "start": format_instant(low),
                              "end": format_instant(high), "limit": EVENTS_LIMIT}  # fmt: skip
    page = first_page
    while True:
        response = client.get(path, params={**params, "page": page})
        events = listed(client, path, response, "events")
        if events:
            yield page, events
        pagination = response.body.get("pagination") or {}
        if not events or page >= int(pagination.get("totalPages") or 0):
            return
        page += 1


def email_metrics(client: ApiClient) -> list[dict[str, Any]] | None:
    """Every sequence email step with its all-time counts (`GET /metrics/emails`), in pages
    sorted by step, a field no send moves; None when the pages do not hold each step once
    (sources.sequenzy.activity.whole)."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        params = {"emailType": "sequence", "sort": "step", "order": "asc",
                  "limit": EMAIL_METRICS_LIMIT, "page": page}  # fmt: skip
        response = client.get("/metrics/emails", params=params, collection=True)
        rows = listed(client, "/metrics/emails", response, "emails")
        found += rows
        pagination = response.body.get("pagination") or {}
        if not rows or page >= int(pagination.get("totalPages") or 0):
            return found if activity.whole(found, pagination.get("total")) else None
        page += 1


def sequence_metrics(client: ApiClient, sequence_id: str) -> dict[str, Any]:
    """A sequence's funnel over all time, per step, and its live enrollment counts."""
    body = client.get(f"/metrics/sequences/{sequence_id}").body
    return body if isinstance(body, dict) else {}
