"""The workspace's own endpoints: its block list (sandbox.instantly.blocklist) and its webhooks
(sandbox.instantly.webhooks), listed as every listing is (`limit`, `starting_after`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from sandbox.instantly.protocol import page, paging
from sandbox.instantly.world import InstantlyWorld


def list_block_list(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    limit, after = paging(request)
    query = request.query_params
    rows = world.blocklist.listing(query.get("search") or "", query.get("domains_only") == "true")
    return page(rows, "id", limit, after)


def _flag(request: Request, name: str) -> bool | None:
    value = request.query_params.get(name)
    return None if value is None else value == "true"


def list_webhooks(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    limit, after = paging(request)
    query = request.query_params
    return page(world.hooks.listing(query.get("campaign"), query.get("event_type")), "id",
                limit, after)  # fmt: skip


def list_webhook_events(world: InstantlyWorld, now: int, request: Request, body: Any) -> Any:
    """Newest first: a page goes on after the last id seen, in that order."""
    limit, after = paging(request)
    query = request.query_params
    rows = world.hooks.events(_flag(request, "success"), query.get("from"), query.get("to"),
                              query.get("search"))  # fmt: skip
    if after is not None:
        ids = [r["id"] for r in rows]
        rows = rows[ids.index(after) + 1 :] if after in ids else []
    items = rows[:limit]
    return {"items": items, **({"next_starting_after": items[-1]["id"]}
                               if len(items) == limit else {})}  # fmt: skip


def on_hook(method: str) -> Any:
    return lambda world, now, request, body: getattr(world.hooks, method)(request.path_params["id"])
