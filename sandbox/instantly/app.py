"""Instantly API v2 (the read endpoints implemented so far) as a Starlette app.

Paths, parameters and shapes follow the vendor's OpenAPI document (`openapi.json`, a verbatim
copy); behaviour the document leaves open follows shared/reference/vendor-apis.md §2 and is
listed in sandbox/README.md: `{items, next_starting_after}` paging whose last full page still
names a next one, the `{statusCode, error, message}` envelope, scopes, the paid-plan 402.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.clock import VirtualClock, format_http_date
from sandbox.instantly import validation
from sandbox.instantly.world import InstantlyWorld

PREFIX = "/api/v2"
MAX_LIMIT = 100
DEFAULT_LIMIT = 10  # undocumented; clients should send `limit`

Handler = Callable[[Request], Awaitable[Any]]


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def error_body(status: int, message: str) -> bytes:
    return orjson.dumps(
        {"statusCode": status, "error": HTTPStatus(status).phrase, "message": message}
    )


@dataclass
class InstantlyApi:
    world: InstantlyWorld
    clock: VirtualClock
    keys: dict[str, frozenset[str]]  # API key -> its scopes (`campaigns:read`, `all:all`, ...)
    paid_plan: bool = True

    def json(self, body: Any, status: int = 200) -> Response:
        headers = {"date": format_http_date(self.clock.now_us())}
        return Response(orjson.dumps(body), status, headers, media_type="application/json")

    def endpoint(self, resource: str, specs: dict[str, dict], handler: Handler) -> Handler:
        """Bearer auth, the plan, the scope `<resource>:read`, the document's parameter
        schemas (`specs`), then the handler."""

        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                self._authorise(request.headers.get("authorization"), resource)
                try:
                    validation.check(specs, {**request.query_params, **request.path_params})
                except validation.BadQuery as exc:
                    raise ApiError(400, str(exc)) from None
                return self.json(await handler(request))
            except ApiError as exc:
                return Response(error_body(exc.status, exc.message), exc.status,
                                media_type="application/json")  # fmt: skip

        return run

    def _authorise(self, header: str | None, resource: str) -> None:
        if not header:
            raise ApiError(401, "Missing Authorization header")
        scheme, _, key = header.partition(" ")
        scopes = self.keys.get(key.strip()) if scheme.lower() == "bearer" else None
        if scopes is None:
            raise ApiError(401, "Invalid API key")
        if not self.paid_plan:
            raise ApiError(402, "Workspace does not have an active paid plan")
        granted = {f"{resource}:read", f"{resource}:all", "all:read", "all:all"}
        if not scopes & granted:
            raise ApiError(403, f"API key is missing the scope {resource}:read")

    async def list_campaigns(self, request: Request) -> Any:
        limit, after = _paging(request)
        search = (request.query_params.get("search") or "").lower()
        rows = [c for c in self.world.campaigns if search in c["name"].lower()]
        if "status" in request.query_params:
            status = _number(request, "status")
            rows = [c for c in rows if c["status"] == status]
        return _page(rows, "id", limit, after)

    async def get_campaign(self, request: Request) -> Any:
        campaign = self.world.campaign(request.path_params["id"].lower())
        if campaign is None:
            raise ApiError(404, "Campaign not found")
        return campaign

    async def list_accounts(self, request: Request) -> Any:
        limit, after = _paging(request)
        search = (request.query_params.get("search") or "").lower()
        rows = [a for a in self.world.accounts if search in a["email"]]
        if "status" in request.query_params:
            status = _number(request, "status")
            rows = [a for a in rows if a["status"] == status]
        return _page(rows, "email", limit, after)


def _number(request: Request, name: str) -> float:
    return float(request.query_params[name])  # checked against the document already


def _paging(request: Request) -> tuple[int, str | None]:
    limit = int(request.query_params.get("limit") or DEFAULT_LIMIT)  # checked already
    return min(limit, MAX_LIMIT), request.query_params.get("starting_after")


def _page(rows: list[dict[str, Any]], key: str, limit: int, after: str | None) -> dict[str, Any]:
    """Rows after `after` (by `key`, the list order). A full page names its last row as the
    next start even when nothing follows: the vendor's documented quirk, so a client must stop
    on an empty page, not on a missing cursor."""
    following = [r for r in rows if after is None or r[key] > after]
    page = following[:limit]
    body: dict[str, Any] = {"items": page}
    if len(page) == limit:
        body["next_starting_after"] = page[-1][key]
    return body


def build_app(api: InstantlyApi) -> Starlette:
    document = validation.load_document()
    served = {  # path -> (scope resource, handler); GET only so far
        "/campaigns": ("campaigns", api.list_campaigns),
        "/campaigns/{id}": ("campaigns", api.get_campaign),
        "/accounts": ("accounts", api.list_accounts),
    }
    routes = [
        Route(PREFIX + path, api.endpoint(resource, validation.parameters(
            document, PREFIX + path, "get"), handler))
        for path, (resource, handler) in served.items()
    ]  # fmt: skip
    documented = {PREFIX + path: validation.methods(document, PREFIX + path) for path in served}

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = f"Route {request.method}:{request.url.path} not found"
        text = message if exc.status_code == 404 else str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # the vendor's methods for the path, not only those served
            route = next((r for r in routes if r.matches(request.scope)[0].value), None)
            if route is not None:
                headers["allow"] = ", ".join(documented[route.path])
        return Response(error_body(exc.status_code, text), exc.status_code, headers,
                        media_type="application/json")  # fmt: skip

    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


def is_api_path(path: str) -> bool:
    return path.startswith(PREFIX + "/")
