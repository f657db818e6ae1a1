"""The listener's ASGI app: `POST /webhooks/<vendor>` for each vendor with webhooks and a
secret configured (sources/<vendor>/webhooks.py), and `/healthz`.

A delivery is checked, keyed and stored (pipelines.listen.intake) before it is answered: 200
once it is on disk (a duplicate too, so that the vendor stops retrying it), 401 for a refused
signature, 409 for a replay, 400 for a body that is no JSON object, 503 when the disk refused
it (the vendor retries). Sequenzy wants a 2xx within 4 s (its webhook docs): a group commit
takes milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipelines.listen.intake import REPLAY, Delivery, Intake
from sources.common.webhooks import Webhooks


def parsed(body: bytes) -> dict[str, Any] | None:
    """The event, or None for a body that is no JSON object."""
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None


def build_app(intake: Intake, listened: Mapping[str, tuple[Webhooks, Sequence[str]]],
              tolerance: float) -> Starlette:  # fmt: skip
    """`listened`: per vendor, its webhooks and the secrets its deliveries are checked with."""

    def route(vendor: str, hooks: Webhooks, secrets: Sequence[str]) -> Route:
        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            headers = request.headers
            refusal = hooks.refusal(headers, body, secrets, time.time(), tolerance)
            if refusal is not None:
                await intake.refused(vendor, refusal)
                return JSONResponse({"error": refusal}, 401)
            event = parsed(body)
            if event is None:
                await intake.refused(vendor, "not an event")
                return JSONResponse({"error": "not a JSON object"}, 400)
            key, kind = hooks.key(event, body)
            delivery = Delivery(vendor, key, kind, body, hooks.replay_key(headers))
            try:
                outcome = await intake.store(delivery)
            except Exception:  # the disk refused it: not stored, so not acknowledged
                return JSONResponse({"error": "not stored; retry"}, 503)
            if outcome == REPLAY:
                return JSONResponse({"error": "replayed delivery"}, 409)
            return JSONResponse({"ok": True, outcome: True})

        return Route(f"/webhooks/{vendor}", receive, methods=["POST"])

    routes = [route(vendor, hooks, secrets) for vendor, (hooks, secrets) in listened.items()]
    routes.append(Route("/healthz", lambda request: JSONResponse({"ok": True})))
    return Starlette(routes=routes)
