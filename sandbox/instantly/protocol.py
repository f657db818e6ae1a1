"""The vendor's wire conventions every endpoint shares: the error envelope and cursor paging."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from starlette.requests import Request

MAX_LIMIT = 100
DEFAULT_LIMIT = 10  # undocumented; clients should send `limit`


def error_body(status: int, message: str) -> bytes:
    return orjson.dumps(
        {"statusCode": status, "error": HTTPStatus(status).phrase, "message": message}
    )


def paging(request: Request) -> tuple[int, str | None]:
    limit = int(request.query_params.get("limit") or DEFAULT_LIMIT)  # checked already
    return min(limit, MAX_LIMIT), request.query_params.get("starting_after")


def page(rows: list[dict[str, Any]], key: str, limit: int, after: str | None) -> dict[str, Any]:
    """Rows after `after` (by `key`, the list order). A full page names its last row as the
    next start even when nothing follows: the vendor's documented quirk, so a client must stop
    on an empty page, not on a missing cursor."""
    following = [r for r in rows if after is None or r[key] > after]
    items = following[:limit]
    body: dict[str, Any] = {"items": items}
    if len(items) == limit:
        body["next_starting_after"] = items[-1][key]
    return body
