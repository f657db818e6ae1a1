"""The listener's ASGI app: one route per vendor, and what came in.

A delivery is checked (pipelines.listen.signatures), keyed (pipelines.listen.events) and stored
(pipelines.listen.intake) before it is answered: 200 once it is on disk (a duplicate too, so
that the vendor stops retrying it), 401 for a refused signature, 409 for a replay, 400 for a
body that is no event, 503 when the disk refused it (the vendor retries). Sequenzy wants a 2xx
within 4 s (its webhook docs): a group commit takes milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipelines.listen import events, signatures
from pipelines.listen.intake import REPLAY, Delivery, Intake

SEQUENZY, INSTANTLY = "sequenzy", "instantly"


@dataclass(frozen=True)
class Secrets:
    """What a delivery must be signed with; a vendor without any is not listened to."""

    sequenzy: Sequence[str] = ()  # every active signing secret (several during a rotation)
    instantly: str | None = None  # the header value registered with its webhooks

    def vendors(self) -> list[str]:
        return [v for v, s in ((SEQUENZY, self.sequenzy), (INSTANTLY, self.instantly)) if s]


def build_app(intake: Intake, secrets: Secrets, tolerance: float) -> Starlette:
    async def sequenzy(request: Request) -> JSONResponse:
        body = await request.body()
        refusal = signatures.sequenzy_refusal(request.headers, body, secrets.sequenzy,
                                              time.time(), tolerance)  # fmt: skip
        signature = request.headers.get(signatures.SEQUENZY_SIGNATURE)
        return await _take(SEQUENZY, body, refusal, signature, events.sequenzy_key)

    async def instantly(request: Request) -> JSONResponse:
        body = await request.body()
        refusal = signatures.instantly_refusal(request.headers, secrets.instantly or "")
        return await _take(INSTANTLY, body, refusal, None,
                           lambda event, _: events.instantly_key(event))  # fmt: skip

    async def _take(vendor: str, body: bytes, refusal: str | None, signature: str | None,
                    key_of: Any) -> JSONResponse:  # fmt: skip
        if refusal is not None:
            await intake.refused(vendor, refusal)
            return JSONResponse({"error": refusal}, 401)
        try:
            event = events.parsed(body)
        except events.NotAnEvent as exc:
            await intake.refused(vendor, "not an event")
            return JSONResponse({"error": str(exc)}, 400)
        key, kind = key_of(event, body)
        try:
            outcome = await intake.store(Delivery(vendor, key, kind, body, signature))
        except Exception:  # the disk refused it: not stored, so not acknowledged
            return JSONResponse({"error": "not stored; retry"}, 503)
        if outcome == REPLAY:
            return JSONResponse({"error": "replayed delivery"}, 409)
        return JSONResponse({"ok": True, outcome: True})

    routes = [Route("/healthz", lambda request: JSONResponse({"ok": True}))]
    if secrets.sequenzy:
        routes.append(Route("/webhooks/sequenzy", sequenzy, methods=["POST"]))
    if secrets.instantly:
        routes.append(Route("/webhooks/instantly", instantly, methods=["POST"]))
    return Starlette(routes=routes)
