"""Sandbox-only controls under /_sandbox (no auth, loopback only): clock, activity, faults, stats.

Tests in the same process use `UnifySandbox` directly; these serve a sandbox in another process
(`python -m sandbox unify`, the benchmark).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.clock import format_rfc3339
from sandbox.common.faults import FaultConfig, FaultInjector
from sandbox.unify.store import UnifyState

ADMIN = "/_sandbox"


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    value = orjson.loads(raw) if raw else {}
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def admin_routes(state: UnifyState, injector: FaultInjector) -> list[Route]:
    async def clock(request: Request) -> Response:
        return _json({"now": format_rfc3339(state.clock.now_us())})

    async def advance(request: Request) -> Response:
        body = await _body(request)
        changed = state.advance(float(body.get("seconds", 0)))
        return _json({"changed": changed, "now": format_rfc3339(state.clock.now_us())})

    async def touch(request: Request) -> Response:
        body = await _body(request)
        ids = state.touch(int(body.get("count", 1)), float(body.get("backdate_seconds", 0)))
        return _json({"touched": ids})

    async def stats(request: Request) -> Response:
        return _json({"enrollments": state.table.n, "requests": dict(injector.stats)})

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                injector.configure(FaultConfig.from_dict(await _body(request)))
            except (ValueError, TypeError) as exc:
                return _json({"message": str(exc)}, 400)
        return _json(injector.config.as_dict())

    return [
        Route(f"{ADMIN}/clock", clock, methods=["GET"]),
        Route(f"{ADMIN}/advance", advance, methods=["POST"]),
        Route(f"{ADMIN}/touch", touch, methods=["POST"]),
        Route(f"{ADMIN}/stats", stats, methods=["GET"]),
        Route(f"{ADMIN}/faults", faults, methods=["GET", "PUT"]),
    ]
