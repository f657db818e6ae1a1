"""Instantly API v2 (the endpoints implemented so far) as a Starlette app.

Paths, parameters and shapes follow the vendor's OpenAPI document (`openapi.json`, a verbatim copy);
behaviour the document leaves open follows the vendor's other documents (docs/vendors/instantly.md)
and is listed in sandbox/README.md: `{items, next_starting_after}` paging whose last full page still
names a next one, the `{statusCode, error, message}` envelope, scopes, the paid-plan 402.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common import openapi
from sandbox.common.clock import VirtualClock, format_http_date
from sandbox.common.errors import ApiError
from sandbox.instantly import reads, validation, workspace, writes
from sandbox.instantly.protocol import error_body, page, paging
from sandbox.instantly.world import InstantlyWorld

PREFIX = "/api/v2"
# A handler gets the world, the instant, the request and its JSON body (already checked).
Handler = Callable[[InstantlyWorld, int, Request, Any], Any]
Endpoint = Callable[[Request], Any]


@dataclass
class InstantlyApi:
    world: InstantlyWorld
    clock: VirtualClock
    keys: dict[str, frozenset[str]]  # API key -> its scopes (`campaigns:read`, `all:all`, ...)
    paid_plan: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)

    def json(self, body: Any, status: int = 200) -> Response:
        headers = {"date": format_http_date(self.clock.now_us())}
        return Response(orjson.dumps(body), status, headers, media_type="application/json")

    def endpoint(
        self, scope: str, document: dict[str, Any], path: str, method: str, handler: Handler,
        refused: frozenset[str] = frozenset(),
    ) -> Endpoint:  # fmt: skip
        """Bearer auth, the plan, the scope (`leads:read`, `campaigns:update`, ...), the
        document's parameter and body schemas for the operation, then the handler. A documented
        parameter the sandbox does not implement (`refused`) is a 400, never ignored."""
        specs = openapi.parameters(document, path, method)
        schema = openapi.body_schema(document, path, method)
        required = bool(document["paths"][path][method].get("requestBody", {}).get("required"))
        bad_path = validation.bad_path_status(document, path, method)

        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                self._authorise(request.headers.get("authorization"), scope)
                body = await self._body(request, required) if schema is not None else None
                try:
                    openapi.refuse(refused, request.query_params)
                    openapi.check(specs, {**request.query_params, **request.path_params})
                    if schema is not None:
                        openapi.check_body(schema, body)
                except openapi.BadQuery as exc:
                    status = bad_path if str(exc).startswith("params/") else 400
                    raise ApiError(status, str(exc)) from None
                with self.lock:
                    return self.json(handler(self.world, self.clock.now_us(), request, body))
            except ApiError as exc:
                return Response(error_body(exc.status, exc.message), exc.status,
                                media_type="application/json")  # fmt: skip

        return run

    async def _body(self, request: Request, required: bool) -> Any:
        raw = await request.body()
        if not raw and "json" in request.headers.get("content-type", ""):
            # Fastify's answer to an empty body sent as JSON (a DELETE's, most often)
            raise ApiError(400, "Body cannot be empty when content-type is set to "
                                "'application/json'")  # fmt: skip
        if not raw:
            if required:
                raise ApiError(400, "body must be object")
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ApiError(400, "Body is not valid JSON") from None

    def _authorise(self, header: str | None, scope: str) -> None:
        if not header:
            raise ApiError(401, "Missing Authorization header")
        scheme, _, key = header.partition(" ")
        scopes = self.keys.get(key.strip()) if scheme.lower() == "bearer" else None
        if scopes is None:
            raise ApiError(401, "Invalid API key")
        if not self.paid_plan:
            raise ApiError(402, "Workspace does not have an active paid plan")
        resource, action = scope.split(":")
        granted = {scope, f"{resource}:all", f"all:{action}", "all:all"}
        if not scopes & granted:
            raise ApiError(403, "Forbidden")  # as the vendor: no word of which scope


def list_campaigns(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    limit, after = paging(request)
    query = request.query_params
    search = (query.get("search") or "").lower()
    rows = [c for c in world.campaigns if search in c["name"].lower() and world.live(c)]
    if "status" in query:
        rows = [c for c in rows if c["status"] == float(query["status"])]
    if "exclude_status" in query:
        rows = [c for c in rows if c["status"] != float(query["exclude_status"])]
    if query.get("tag_ids") or query.get("ai_sales_agent_id"):
        rows = []  # no campaign in this world carries a tag or an AI sales agent
    return page(rows, "id", limit, after)


def list_group_members(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    """The admin workspace's group (sandbox.instantly.group): every member, whatever its
    status, as the vendor lists them."""
    limit, after = paging(request)
    return page(world.group_members, "id", limit, after)


def get_campaign(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    campaign = world.campaign(request.path_params["id"].lower())
    if campaign is None:
        raise ApiError(404, "Campaign not found")
    return campaign


def count_launched(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    """Campaigns ever launched: every live one but the drafts (status 0)."""
    return {"count": sum(1 for c in world.campaigns if world.live(c) and c["status"] != 0)}


def search_by_contact(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    """The live campaigns that have a lead with this email (`search`)."""
    wanted = (request.query_params.get("search") or "").strip().lower()
    leads = world.leads

    def has(k: int) -> bool:
        in_campaign = leads.campaign[k] >= 0 and leads.exists(k, now)
        return bool(in_campaign and (leads.person(k)["email"] or "").lower() == wanted)

    found = {int(leads.campaign[k]) for k in range(len(leads)) if wanted and has(k)}
    return {"items": [c for k, c in enumerate(world.campaigns) if k in found and world.live(c)]}


def list_accounts(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    limit, after = paging(request)
    query = request.query_params
    search = (query.get("search") or "").lower()
    rows = [a for a in world.accounts if search in a["email"]]
    if "status" in query:
        rows = [a for a in rows if a["status"] == float(query["status"])]
    if "provider_code" in query:
        rows = [a for a in rows if a["provider_code"] == float(query["provider_code"])]
    if query.get("tag_ids") or query.get("tag_ids_all"):
        rows = []  # no account in this world carries a tag
    return page(rows, "email", limit, after)


def get_account(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    wanted = request.path_params["email"].lower()
    found = next((a for a in world.accounts if a["email"].lower() == wanted), None)
    if found is None:
        raise ApiError(404, "Account not found")
    return found


def _query(read: Callable[[InstantlyWorld, int, Request], Any]) -> Handler:
    return lambda world, now, request, body: read(world, now, request)


def _on_id(write: Callable[..., Any], *args: Any) -> Handler:
    return lambda world, now, request, body: write(world, now, request.path_params["id"], *args)


def _on_body(write: Callable[[InstantlyWorld, int, Any], Any]) -> Handler:
    return lambda world, now, request, body: write(world, now, body)


SERVED: dict[tuple[str, str], tuple[str, Handler]] = {  # (method, path) -> (scope, handler)
    ("get", "/campaigns"): ("campaigns:read", list_campaigns),
    ("get", "/workspace-group-members"): ("workspace_group_members:read", list_group_members),
    ("get", "/campaigns/{id}"): ("campaigns:read", get_campaign),
    ("get", "/campaigns/count-launched"): ("campaigns:read", count_launched),
    ("get", "/campaigns/search-by-contact"): ("campaigns:read", search_by_contact),
    ("get", "/accounts"): ("accounts:read", list_accounts),
    ("get", "/subsequences"): ("subsequences:read", _query(reads.list_subsequences)),
    ("get", "/subsequences/{id}"): ("subsequences:read", _query(reads.get_subsequence)),
    ("get", "/accounts/{email}"): ("accounts:read", get_account),
    ("post", "/leads/list"): ("leads:read", _on_body(reads.list_leads)),
    ("get", "/leads/{id}"): ("leads:read", _query(reads.get_lead)),
    ("get", "/emails"): ("emails:read", _query(reads.list_emails)),
    ("get", "/emails/{id}"): ("emails:read", _query(reads.get_email)),
    ("get", "/campaigns/analytics"): ("campaigns:read", _query(reads.campaign_totals)),
    ("get", "/campaigns/analytics/daily"): ("campaigns:read", _query(reads.campaign_daily)),
    ("get", "/campaigns/analytics/steps"): ("campaigns:read", _query(reads.campaign_steps)),
    ("get", "/subsequences/analytics"): ("subsequences:read", _query(reads.subsequence_totals)),
    ("post", "/subsequences/{id}/pause"): ("subsequences:update",
                                           _on_id(writes.set_subsequence_status, 2)),
    ("post", "/subsequences/{id}/resume"): ("subsequences:update",
                                            _on_id(writes.set_subsequence_status, 1)),
    ("post", "/campaigns/{id}/pause"): ("campaigns:update", _on_id(writes.set_campaign_status, 2)),
    ("post", "/campaigns/{id}/activate"): ("campaigns:update",
                                           _on_id(writes.set_campaign_status, 1)),
    ("post", "/leads/subsequence/move"): ("leads:update", _on_body(writes.move_lead)),
    ("post", "/leads/subsequence/remove"): ("leads:update", _on_body(writes.remove_lead)),
    ("get", "/webhooks"): ("webhooks:read", workspace.list_webhooks),
    ("post", "/webhooks"): ("webhooks:create",
                            lambda world, now, request, body: world.hooks.create(body)),
    ("get", "/webhooks/{id}"): ("webhooks:read", workspace.on_hook("get")),
    ("delete", "/webhooks/{id}"): ("webhooks:delete", workspace.on_hook("delete")),
    ("post", "/webhooks/{id}/resume"): ("webhooks:update", workspace.on_hook("resume")),
    ("get", "/webhook-events"): ("webhook_events:read", workspace.list_webhook_events),
    ("get", "/block-lists-entries"): ("block_list_entries:read", workspace.list_block_list),
    ("post", "/block-lists-entries"): (
        "block_list_entries:create",
        lambda world, now, request, body: world.blocklist.create(world.leads, now,
                                                                 body["bl_value"]),
    ),
    ("get", "/block-lists-entries/{id}"): (
        "block_list_entries:read",
        lambda world, now, request, body: world.blocklist.get(request.path_params["id"]),
    ),
    ("delete", "/block-lists-entries/{id}"): (
        "block_list_entries:delete",
        lambda world, now, request, body: world.blocklist.delete(world.leads, now,
                                                                 request.path_params["id"]),
    ),
}  # fmt: skip


# Documented query parameters this sandbox does not implement: refused with a 400, so that a
# client relying on one learns it here instead of reading every row as if it had filtered.
REFUSED: dict[tuple[str, str], frozenset[str]] = {
    ("get", "/accounts"): frozenset({"include_tags", "filter", "sort_by", "sort_order", "skip"}),
    ("get", "/campaigns/search-by-contact"): frozenset({"sort_column", "sort_order"}),
    ("get", "/emails"): frozenset({"search", "list_id", "i_status", "mode", "assigned_to",
                                   "company_domain", "latest_of_thread"}),
}  # fmt: skip


def build_app(api: InstantlyApi) -> Starlette:
    document = openapi.load_document(validation.DOCUMENT)
    by_path: dict[str, dict[str, Endpoint]] = {}
    for (method, path), (scope, handler) in SERVED.items():
        endpoint = api.endpoint(scope, document, PREFIX + path, method, handler,
                                REFUSED.get((method, path), frozenset()))  # fmt: skip
        by_path.setdefault(path, {})[method.upper()] = endpoint
    # Static paths before templated ones: `/campaigns/analytics` is not a campaign id.
    ordered = sorted(by_path, key=lambda p: ("{" in p, p))
    # Every method reaches its path's route, so that `GET /leads/list` is that path's 405, not
    # a lead named "list" (Starlette would go on to a templated route that matches in full).
    every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    routes = [Route(PREFIX + p, _dispatch(by_path[p]), methods=every) for p in ordered]
    documented = {PREFIX + p: openapi.methods(document, PREFIX + p) for p in by_path}

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


def _dispatch(endpoints: dict[str, Endpoint]) -> Endpoint:
    async def by_method(request: Request) -> Any:
        if request.method not in endpoints:
            raise HTTPException(405)
        return await endpoints[request.method](request)

    return by_method


def is_api_path(path: str) -> bool:
    return path.startswith(PREFIX + "/")
