"""HTTP endpoints of the Bulk API query jobs, under /enrollments and /enrollment-steps."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.clock import format_http_date
from sandbox.unify.jobs import KINDS, JobError, JobStore, ndjson_lines
from sandbox.unify.validation import (
    BadRequest,
    QueryReader,
    issue,
    listing_cursor,
)

STATUSES = ("IN_PROGRESS", "FINISHED", "FAILED", "EXPIRED", "CANCELED")


class JobsApi:
    def __init__(self, store: JobStore) -> None:
        self.store = store

    def _error(self, exc: JobError) -> Response:
        headers = {"date": format_http_date(self.store.state.clock.now_us())}
        if exc.retry_after is not None:
            headers["retry-after"] = str(exc.retry_after)
        body = orjson.dumps({"status": exc.code, "message": exc.message})
        return Response(body, exc.status, headers, media_type="application/json")

    def handlers(self, kind: str) -> dict[str, dict[str, Any]]:
        async def create(request: Request) -> Any:
            raw = await request.body()
            try:
                body = orjson.loads(raw) if raw.strip() else {}  # the body is optional
            except orjson.JSONDecodeError:
                raise BadRequest([issue("invalid_json", [], "Body is not valid JSON")]) from None
            try:
                result = self.store.create(kind, body)
            except JobError as exc:
                return self._error(exc)
            return Response(orjson.dumps(result), 201, media_type="application/json",
                            headers={"date": format_http_date(self.store.state.now())})  # fmt: skip

        async def listing(request: Request) -> Any:
            q = QueryReader(request.query_params)
            cursor, limit = q.string("cursor"), q.integer("limit", 1, 100)
            status = q.enum_list("status", STATUSES)
            q.check()
            pages, position = listing_cursor(request, "jobs", cursor)
            start, size = position or 0, limit or 25
            jobs = self.store.listing(kind, status[0] if status else None, start, size)
            page, next_cursor = pages.page(list(enumerate(jobs, start)), size)
            return {"jobs": [self.store.describe(j) for j in page], "next_cursor": next_cursor}

        async def get(request: Request) -> Any:
            try:
                return self.store.describe(self.store.get(kind, request.path_params["job_id"]))
            except JobError as exc:
                return self._error(exc)

        async def cancel(request: Request) -> Any:
            try:
                return self.store.cancel(kind, request.path_params["job_id"])
            except JobError as exc:
                return self._error(exc)

        async def results(request: Request) -> Any:
            q = QueryReader(request.query_params)
            page, size = q.integer("page", 1, 10**9), q.integer("page_size", 1, 10_000)
            q.check()
            ndjson = "application/x-ndjson" in request.headers.get("accept", "")
            try:
                total, size, rows = self.store.page(
                    kind, request.path_params["job_id"], page or 1, size, ndjson
                )
            except JobError as exc:
                return self._error(exc)
            headers = {"date": format_http_date(self.store.state.clock.now_us())}
            if ndjson:
                headers |= {"x-total": str(total), "x-page": str(page or 1),
                            "x-page-size": str(size)}  # fmt: skip
                return Response(ndjson_lines(rows), 200, headers,
                                media_type="application/x-ndjson")  # fmt: skip
            body = {"total": total, "page": page or 1, "page_size": size, "data": rows}
            return Response(orjson.dumps(body), 200, headers, media_type="application/json")

        base = f"/{kind}/query-jobs"
        return {
            base: {"GET": listing, "POST": create},
            base + "/{job_id}": {"GET": get},
            base + "/{job_id}/cancel": {"POST": cancel},
            base + "/{job_id}/results": {"GET": results},
        }


def job_table(store: JobStore) -> dict[str, dict[str, Any]]:
    api = JobsApi(store)
    table: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        table |= api.handlers(kind)
    return table
