"""Sequenzy API v1 (sequences, enrollments, subscribers so far) as a Starlette app, held to the
document the sandbox serves (`openapi.json`, written by this project: the vendor publishes none).

Behaviour from the vendor's SDKs and docs (docs/vendors/sequenzy.md), listed in
sandbox/README.md: `{success: false, error}` errors, Bearer keys with scopes, an optional
`x-company-id`, offset pages computed when asked (so they shift under inserts and status
changes), enrollments `active,waiting` unless asked for more, subscribers by page or cursor.
"""

from __future__ import annotations

import base64
import functools
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
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
from sandbox.sequenzy import conversations, enrollments, metrics, webhooks, writes
from sandbox.sequenzy.protocol import error_body, int_param, sequence_position
from sandbox.sequenzy.world import SequenzyWorld

PREFIX = "/api/v1"
DOCUMENT = Path(__file__).with_name("openapi.json")
Handler = Callable[[SequenzyWorld, int, Request], Any]


@dataclass
class SequenzyApi:
    world: SequenzyWorld
    clock: VirtualClock
    keys: dict[str, frozenset[str]]  # API key -> its scopes (`sequences:read`, ...)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def endpoint(
        self, scope: str, document: dict[str, Any], path: str, method: str, handler: Handler,
        refused: frozenset[str] = frozenset(),
    ) -> Any:  # fmt: skip
        """Bearer auth and the key's permission, the document's parameter and body schemas for
        the operation, then the handler (a write gets the checked JSON body as `request.state`).
        A documented parameter the sandbox does not implement (`refused`) is a 400, never
        ignored."""
        specs = openapi.parameters(document, path, method)
        schema = openapi.body_schema(document, path, method)

        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                self._authorise(request, scope)
                try:
                    openapi.refuse(refused, request.query_params)
                    openapi.check(specs, {**request.query_params, **request.path_params})
                    if schema is not None:
                        request.state.body = await _json(request)
                        openapi.check_body(schema, request.state.body)
                except openapi.BadQuery as exc:
                    raise ApiError(400, str(exc)) from None
                with self.lock:
                    now = self.clock.now_us()
                    body = {"success": True, **handler(self.world, now, request)}
                headers = {"date": format_http_date(now)}
                return Response(orjson.dumps(body), 200, headers, media_type="application/json")
            except ApiError as exc:
                return Response(error_body(exc.status, exc.message), exc.status,
                                media_type="application/json")  # fmt: skip

        return run

    def _authorise(self, request: Request, scope: str) -> None:
        header = request.headers.get("authorization")
        if not header:
            raise ApiError(401, "Missing API key: send Authorization: Bearer <key>")
        kind, _, key = header.partition(" ")
        scopes = self.keys.get(key.strip()) if kind.lower() == "bearer" else None
        if scopes is None:
            raise ApiError(401, "Invalid API key")
        if scope not in scopes and "all" not in scopes:
            raise ApiError(403, f"API key is missing the {scope} permission")
        company = request.headers.get("x-company-id")
        if company is not None and company != self.world.company:
            raise ApiError(403, f"API key has no access to company {company}")


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        raise ApiError(400, "The body is not valid JSON") from None


def _write(write: Callable[..., Any], *args: Any) -> Handler:
    def handler(world: SequenzyWorld, now: int, request: Request) -> Any:
        position = sequence_position(world, request)
        body = getattr(request.state, "body", None)  # set for operations that take one
        return write(world, position, now, *args, *([body] if body is not None else []))

    return handler


def list_sequences(world: SequenzyWorld, now: int, request: Request) -> Any:
    query = request.query_params
    rows = [s.body for s in world.sequences]
    if "status" in query:
        rows = [r for r in rows if r["status"] == query["status"]]
    search = (query.get("search") or "").lower()
    rows = [r for r in rows if search in r["name"].lower()]
    given = query.get("label") or query.get("labels") or ""  # `label` wins: "takes precedence"
    labels = {x.strip() for x in given.split(",") if x.strip()}
    if labels:
        rows = [r for r in rows if labels & set(r["labels"])]
    paged = "limit" in query or "offset" in query  # "omit both to return all matches"
    limit = min(int_param(request, "limit", 50), 100) if paged else None
    offset = int_param(request, "offset", 0)
    page = rows[offset : offset + limit] if limit is not None else rows[offset:]
    pagination = {"limit": limit, "offset": offset, "count": len(page), "total": len(rows),
                  "hasMore": offset + len(page) < len(rows)}  # fmt: skip
    return {"sequences": page, "pagination": pagination}


def get_sequence(world: SequenzyWorld, now: int, request: Request) -> Any:
    sequence = world.sequences[sequence_position(world, request)]
    nodes = sequence.nodes
    # the SDK's SequenceGraphEdgeInput: no id of its own
    edges = [{"sourceNodeId": a["id"], "targetNodeId": b["id"], "condition": None}
             for a, b in itertools.pairwise(nodes)]  # fmt: skip
    details = {**sequence.body, "nodes": nodes, "edges": edges, "emails": sequence.emails,
               "emailCount": len(sequence.emails), "graphRevision": sequence.body["updatedAt"],
               "stopCondition": {"type": "none", "value": None, "matchConfig": None}}  # fmt: skip
    return {"sequence": details}


SORTS = ("enrolled_at_desc", "enrolled_at_asc", "wait_until_asc", "wait_until_desc")


def list_enrollments(world: SequenzyWorld, now: int, request: Request) -> Any:
    position = sequence_position(world, request)
    query = request.query_params
    asked = [s.strip() for s in (query.get("status") or "").split(",") if s.strip()]
    bad = [s for s in asked if s not in enrollments.STATUSES]
    if bad:
        raise ApiError(400, f"Invalid status: {bad[0]} (one of {', '.join(enrollments.STATUSES)})")
    statuses = tuple(asked) or enrollments.DEFAULT_STATUSES
    sort = query.get("sort") or "enrolled_at_desc"
    if sort not in SORTS:
        raise ApiError(400, f"Invalid sort: {sort} (one of {', '.join(SORTS)})")
    listed = {name: {x.strip().lower() for x in (query.get(name) or "").split(",") if x.strip()}
              for name in ("currentNodeId", "subscriberId")}  # fmt: skip
    matching = query.get("stopConditionMatch") == "true"
    # "values above 500 are capped, and above 100 when stopConditionMatch is true"
    limit = min(int_param(request, "limit", 50), 100 if matching else 500)
    offset = int_param(request, "offset", 0)
    email = (query.get("email") or "").lower() or None
    page, total = enrollments.listing(
        world, position, now, statuses=statuses, sort=sort,
        limit=limit, offset=offset, nodes=listed["currentNodeId"],
        subscribers=listed["subscriberId"], email=email,
    )  # fmt: skip
    sequence = world.sequences[position].body
    evaluated = [row for row in page if matching and row["status"] in ("active", "waiting")]
    for row in evaluated:  # the world's stop condition is `none`: it never matches
        row["stopConditionMatches"] = False
    pagination = {"limit": limit, "offset": offset, "count": len(page), "total": total,
                  "hasMore": offset + len(page) < total}  # fmt: skip
    return {"sequenceId": sequence["id"], "sequenceName": sequence["name"],
            "statuses": list(statuses),
            "stopCondition": {"type": "none", "value": None, "matchConfig": None},
            "stopConditionMatchEvaluatedCount": len(evaluated), "enrollments": page,
            "pagination": pagination}  # fmt: skip


def _cursor(subscriber_id: str) -> str:
    return base64.urlsafe_b64encode(subscriber_id.encode()).decode().rstrip("=")


def _after(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Invalid cursor") from None


def list_subscribers(world: SequenzyWorld, now: int, request: Request) -> Any:
    """Newest first. By `page` (limit ≤ 100, as the SDK documents) or by `cursor` (limit ≤
    1,000, as newer docs allow, from a first page without either); every page names
    `nextCursor` while more follow."""
    query = request.query_params
    if "page" in query and "cursor" in query:
        raise ApiError(400, "Use either page or cursor, not both")
    limit = int_param(request, "limit", 20)
    if limit > 100 and "page" in query:
        raise ApiError(400, "limit must be at most 100 with page (1000 with cursor)")
    status = query.get("status") or "all"
    rows = [s for s in world.subscribers if status == "all" or s["status"] == status]
    email, words = (query.get("email") or "").lower(), (query.get("query") or "").lower()
    if email:
        rows = [s for s in rows if s["email"] == email]
    if words:
        rows = [
            s for s in rows if words in f"{s['email']} {s['firstName']} {s['lastName']}".lower()
        ]
    if query.get("cursor"):
        last = _after(query["cursor"])
        start = next((i + 1 for i, s in enumerate(rows) if s["id"] == last), len(rows))
    else:
        start = (int_param(request, "page", 1) - 1) * limit
    page = rows[start : start + limit]
    more = start + len(page) < len(rows)
    pagination = {"page": start // limit + 1, "limit": limit, "total": len(rows),
                  "totalPages": -(-len(rows) // limit), "hasMore": more,
                  "nextCursor": _cursor(page[-1]["id"]) if more and page else None}  # fmt: skip
    return {"subscribers": page, "pagination": pagination}


def list_companies(world: SequenzyWorld, now: int, request: Request) -> Any:
    """The companies the key reaches; its current one is the company a request without
    `x-company-id` reads."""
    return {"companies": world.companies, "currentCompanyId": world.companies[0]["id"]}


SERVED: dict[tuple[str, str], tuple[str, Handler]] = {  # (method, path) -> (scope, handler)
    ("get", "/companies"): ("account:read", list_companies),
    ("get", "/sequences"): ("sequences:read", list_sequences),
    ("get", "/sequences/{sequenceId}"): ("sequences:read", get_sequence),
    ("get", "/sequences/{sequenceId}/enrollments"): ("sequences:read", list_enrollments),
    ("get", "/subscribers"): ("subscribers:read", list_subscribers),
    ("get", "/metrics/sequences/{sequenceId}"): ("sequences:read", metrics.sequence_metrics),
    ("get", "/metrics/sequences/{sequenceId}/events"): ("sequences:read",
                                                        metrics.list_sequence_events),
    ("get", "/metrics/emails"): ("sequences:read", metrics.list_email_metrics),
    ("get", "/conversations"): ("conversations:read", conversations.list_conversations),
    ("post", "/sequences/{sequenceId}/enrollments/cancel"): ("sequences:write",
                                                              _write(writes.cancel)),
    ("post", "/sequences/{sequenceId}/enroll"): ("sequences:write", _write(writes.enroll)),
    ("post", "/sequences/{sequenceId}/enrollments/pause"): ("sequences:write",
                                                             _write(writes.hold, True)),
    ("post", "/sequences/{sequenceId}/enrollments/resume"): ("sequences:write",
                                                              _write(writes.hold, False)),
    **{("post", f"/sequences/{{sequenceId}}/{action}"): ("sequences:activate",
                                                        _write(writes.act, action))
       for action in writes.STATES},
    **webhooks.SERVED,
}  # fmt: skip


# Documented filters this sandbox does not implement: refused with a 400, so that no client
# reads every subscriber believing they were filtered.
REFUSED = {
    ("get", "/subscribers"): frozenset({"attribute", "attributeOperator", "list", "listId",
                                        "listName", "segmentId", "tags", "unsubscribedAfter",
                                        "unsubscribedBefore"}),
}  # fmt: skip


def build_app(api: SequenzyApi) -> Starlette:
    document = openapi.load_document(DOCUMENT)
    by_path: dict[str, dict[str, Any]] = {}
    for (method, path), (scope, handler) in SERVED.items():
        by_path.setdefault(path, {})[method.upper()] = api.endpoint(
            scope, document, PREFIX + path, method, handler,
            REFUSED.get((method, path), frozenset()))  # fmt: skip
    # one route per path, every method of it: a 405's `Allow` names them all
    routes = [Route(PREFIX + path, _by_method(endpoints), methods=list(endpoints))
              for path, endpoints in by_path.items()]  # fmt: skip

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        text = "Not found" if exc.status_code == 404 else str(exc.detail)
        return Response(error_body(exc.status_code, text), exc.status_code,
                        dict(exc.headers or {}), media_type="application/json")  # fmt: skip

    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


def _by_method(endpoints: dict[str, Any]) -> Any:
    async def run(request: Request) -> Any:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return run


def is_api_path(path: str) -> bool:
    return path.startswith(PREFIX + "/")
