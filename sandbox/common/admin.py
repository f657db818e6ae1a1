"""Sandbox-only controls under /_sandbox (no auth, loopback only): clock, activity, faults, stats.

Every vendor's sandbox serves the same controls; tests in the same process call the sandbox
objects directly, these serve a sandbox in another process (`python -m sandbox`, the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.clock import VirtualClock, format_rfc3339
from sandbox.common.faults import ErrorBody, FaultConfig, FaultInjector, WindowLimit

ADMIN = "/_sandbox"


class Workspace(Protocol):
    """What a vendor's sandbox state offers the controls."""

    clock: VirtualClock

    def advance(self, seconds: float) -> int:
        """Move the clock; returns how many records were created or changed."""
        ...

    def touch(self, count: int, backdate_seconds: float = 0.0) -> list[str]:
        """Change `count` records now (minus `backdate_seconds`); returns their ids."""
        ...

    def counts(self) -> dict[str, int]:
        """Sizes of the workspace, for `/_sandbox/stats`."""
        ...


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    value = orjson.loads(raw) if raw else {}
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def admin_app(state: Workspace, injector: FaultInjector) -> Starlette:
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
        return _json(state.counts() | {"requests": dict(injector.stats),
                                       "by_path": dict(injector.by_path)})  # fmt: skip

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                injector.configure(FaultConfig.from_dict(await _body(request)))
            except (ValueError, TypeError) as exc:
                return _json({"message": str(exc)}, 400)
        return _json(injector.config.as_dict())

    return Starlette(
        routes=[
            Route(f"{ADMIN}/clock", clock, methods=["GET"]),
            Route(f"{ADMIN}/advance", advance, methods=["POST"]),
            Route(f"{ADMIN}/touch", touch, methods=["POST"]),
            Route(f"{ADMIN}/stats", stats, methods=["GET"]),
            Route(f"{ADMIN}/faults", faults, methods=["GET", "PUT"]),
        ]
    )


@dataclass(frozen=True)
class Front:
    """What stands before a vendor's API routes: which paths are its API, the body of its
    errors, and whether its 429s for its documented limits carry Retry-After (Instantly's and
    Sequenzy's do not)."""

    is_api: Callable[[str], bool]
    error_body: ErrorBody
    limit_retry_after: bool = True

    def serve(
        self, state: Workspace, api: Any, faults: FaultConfig | None,
        limits: Sequence[WindowLimit] = (),
    ) -> tuple[FaultInjector, Any]:  # fmt: skip
        """The API app behind its fault injector, and the controls beside it: the injector
        and the one app to serve."""
        injector = FaultInjector(
            api, is_api=self.is_api, error_body=self.error_body, config=faults, limits=limits,
            limit_retry_after=self.limit_retry_after,
        )  # fmt: skip
        return injector, with_controls(state, injector)


def with_controls(state: Workspace, injector: FaultInjector) -> Any:
    """One ASGI app: /_sandbox to the controls, everything else to the API (with its fault
    injector outermost, so a dropped or cut connection is really dropped or cut)."""
    controls = admin_app(state, injector)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        target = controls if scope.get("path", "").startswith(ADMIN + "/") else injector
        await target(scope, receive, send)

    return app
