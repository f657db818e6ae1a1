"""A record-and-replay proxy in front of a sandbox: the latency scenarios without the sandbox's
CPU on the same two cores.

Recording, every answer is fetched from the sandbox and kept under its request (method, path,
query, body). Replaying, a kept answer is sent after a fixed latency (an asyncio sleep: no CPU),
so what is left on the cores is the connector alone, as against a real API across the network.
A request never recorded is forwarded and counted (`misses`).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response

KEPT_HEADERS = ("content-type", "date", "x-total", "x-page", "x-page-size", "retry-after")


class ReplayProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.kept: dict[tuple[str, str, str, bytes], tuple[int, dict[str, str], bytes]] = {}
        self.replaying, self.latency, self.misses = False, 0.0, 0
        self._client = httpx.AsyncClient(timeout=120)
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            interface="asgi3",
            date_header=False,
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        while not self._server.started:
            time.sleep(0.05)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.server = f"http://127.0.0.1:{port}"

    def replay(self, latency_ms: float) -> None:
        self.replaying, self.latency = True, latency_ms / 1000

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        body = await request.body()
        query = "&".join(sorted(request.url.query.split("&")))
        key = (request.method, request.url.path, query, body)
        kept = self.kept.get(key) if self.replaying else None
        if kept is None:
            if self.replaying:
                self.misses += 1
            headers = {k: v for k, v in request.headers.items() if k in ("x-api-key", "accept",
                       "content-type", "authorization")}  # fmt: skip
            url = f"{self.upstream}{request.url.path}" + (f"?{request.url.query}" if query else "")
            answer = await self._client.request(request.method, url, content=body, headers=headers)
            kept = (answer.status_code,
                    {k: v for k, v in answer.headers.items() if k in KEPT_HEADERS},
                    answer.content)  # fmt: skip
            if not self.replaying:
                self.kept[key] = kept
        else:
            await asyncio.sleep(self.latency)
        status, headers, content = kept
        await Response(content, status, headers)(scope, receive, send)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
